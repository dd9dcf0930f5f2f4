// Whether a pod's tolerations cover a node's taint (the scheduler's filters and the node
// lifecycle controller's NoExecute evictions both ask).

type AnyObj = Record<string, any>;

export function tolerates(toleration: AnyObj, taint: AnyObj): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

export function toleratesAll(tolerations: AnyObj[] | undefined, taint: AnyObj): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}
