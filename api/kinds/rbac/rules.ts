// What the RBAC kinds share: policy rules, subjects and role references (their shapes, defaults
// and Kubernetes' rules for them) and the bindings' columns.
import { ageCol, col, nameCol, wide, type PrinterColumn } from '../../printers.js';
import { obj, str, strings } from '../../schema/dsl.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1123Subdomain } from '../../validation/names.js';
import { checkName } from '../../validation/object-meta.js';

export const policyRule = obj({ verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings });
export const subject = obj({ kind: str, apiGroup: str, name: str, namespace: str });
export const roleRef = obj({ apiGroup: str, kind: str, name: str });

function roleRefText(o: KubeObject): string {
  const r = (o.roleRef ?? {}) as Unstructured;
  return `${r.kind ?? ''}/${r.name ?? ''}`;
}

function subjects(kind: string) {
  return (o: KubeObject) =>
    ((o.subjects as Unstructured[]) ?? [])
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
      .join(', ');
}

export const bindingColumns: PrinterColumn[] = [
  nameCol,
  col('Role', roleRefText),
  ageCol,
  col('Users', subjects('User'), wide),
  col('Groups', subjects('Group'), wide),
  col('ServiceAccounts', subjects('ServiceAccount'), wide),
];

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];
const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** A role's rules: verbs always; then either non-resource URLs (cluster roles only) or groups and resources. */
export function validatePolicyRules(rules: unknown, namespaced: boolean, errs: FieldErrors): void {
  (Array.isArray(rules) ? rules : []).forEach((raw, i) => {
    const rule = (raw ?? {}) as Unstructured;
    const f = `rules[${i}]`;
    if (!count(rule.verbs)) errs.required(`${f}.verbs`, 'verbs must contain at least one value');
    if (count(rule.nonResourceURLs)) {
      if (namespaced) errs.invalid(`${f}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs');
      if (count(rule.apiGroups) || count(rule.resources) || count(rule.resourceNames)) {
        errs.invalid(`${f}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs');
      }
      return;
    }
    if (!count(rule.apiGroups)) errs.required(`${f}.apiGroups`, 'resource rules must supply at least one api group');
    if (!count(rule.resources)) errs.required(`${f}.resources`, 'resource rules must supply at least one resource');
  });
}

/** Kubernetes' v1 defaults: a role reference and User or Group subjects are in the RBAC group unless they say otherwise. */
export function defaultBinding(o: KubeObject): void {
  const ref = o.roleRef as Unstructured | undefined;
  if (ref && typeof ref === 'object' && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const s of Array.isArray(o.subjects) ? (o.subjects as Unstructured[]) : []) {
    if (s && typeof s === 'object' && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

/** A binding's role reference and subjects; a ServiceAccount of a ClusterRoleBinding must name its namespace. */
export function validateBinding(o: KubeObject, namespaced: boolean, errs: FieldErrors): void {
  const ref = (o.roleRef ?? {}) as Unstructured;
  if (ref.apiGroup !== RBAC_GROUP) errs.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.notSupported('roleRef.kind', ref.kind ?? '', kinds);
  if (!ref.name) errs.required('roleRef.name');
  else errs.format('roleRef.name', String(ref.name), checkName('path-segment', String(ref.name)));
  (Array.isArray(o.subjects) ? (o.subjects as Unstructured[]) : []).forEach((raw, i) => {
    const s = (raw ?? {}) as Unstructured;
    const f = `subjects[${i}]`;
    const name = typeof s.name === 'string' ? s.name : '';
    if (!name) errs.required(`${f}.name`);
    switch (s.kind) {
      case 'ServiceAccount':
        if (name) errs.format(`${f}.name`, name, dns1123Subdomain(name));
        if (s.apiGroup) errs.notSupported(`${f}.apiGroup`, s.apiGroup, ['']);
        if (!namespaced && !s.namespace) errs.required(`${f}.namespace`);
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) errs.notSupported(`${f}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]);
        break;
      default:
        errs.notSupported(`${f}.kind`, s.kind ?? '', SUBJECT_KINDS);
    }
  });
}

/** A binding's role cannot change (delete and re-create it instead), shown as Kubernetes shows the struct. */
export function validateBindingUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  const a = (next.roleRef ?? {}) as Unstructured;
  const b = (prev.roleRef ?? {}) as Unstructured;
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return;
  const shown = `rbac.RoleRef{APIGroup:${JSON.stringify(a.apiGroup ?? '')}, Kind:${JSON.stringify(a.kind ?? '')}, Name:${JSON.stringify(a.name ?? '')}}`;
  errs.invalidShown('roleRef', shown, 'cannot change roleRef');
}
