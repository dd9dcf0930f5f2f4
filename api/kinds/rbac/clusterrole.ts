// rbac.authorization.k8s.io/v1 ClusterRole: stored and served; enforcement comes with issue 12.
// Names are path segments (system:aggregate-to-admin is valid).
import { createdAtColumns } from '../../printers.js';
import { list, obj } from '../../schema/dsl.js';
import { kind, labelSelector } from '../../schema/meta.js';
import { policyRule } from './rules.js';
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
};
