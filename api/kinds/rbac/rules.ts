// Shapes the RBAC kinds share: policy rules, subjects, role references and binding columns.
import { ageCol, col, nameCol, wide, type PrinterColumn } from '../../printers.js';
import { obj, str, strings } from '../../schema/dsl.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';

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
