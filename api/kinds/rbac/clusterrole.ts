// rbac.authorization.k8s.io/v1 ClusterRole: what may be done across the cluster, or the
// union of the ClusterRoles an aggregationRule selects (the controller-manager fills it in).
// Names are path segments (system:aggregate-to-admin is valid).
import { createdAtColumns } from '../../printers.js';
import { list, obj } from '../../schema/dsl.js';
import { kind, labelSelector } from '../../schema/meta.js';
import { hasInvalidSelectorValue, validateLabelSelector } from '../../validation/label-selector.js';
import type { Unstructured } from '../../types/meta.js';
import { policyRule, validatePolicyRules } from './rules.js';
import type { KindModule } from '../kind.js';

export const clusterRole: KindModule = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
  schema: kind({ rules: list(policyRule), aggregationRule: obj({ clusterRoleSelectors: list(labelSelector) }) }),
  columns: createdAtColumns,
  nameRule: 'path-segment',
  validate(o, errs, prev) {
    validatePolicyRules(o.rules, false, errs);
    const rule = o.aggregationRule as Unstructured | undefined;
    if (!rule) return;
    const selectors: unknown[] = Array.isArray(rule.clusterRoleSelectors) ? rule.clusterRoleSelectors : [];
    if (!selectors.length) errs.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil');
    const prevSelectors = (prev?.aggregationRule as Unstructured | undefined)?.clusterRoleSelectors;
    const allowInvalidValues = Array.isArray(prevSelectors) && hasInvalidSelectorValue(prevSelectors);
    selectors.forEach((s, i) => validateLabelSelector(s as Unstructured, `aggregationRule.clusterRoleSelectors[${i}]`, errs, { allowInvalidValues }));
  },
};
