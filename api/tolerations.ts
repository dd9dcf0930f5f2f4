// Whether a pod's tolerations cover a node's taint (the scheduler's filters and the node
// lifecycle controller's NoExecute evictions both ask).
import type { Taint } from './types/core.js';
import type { Toleration } from './types/pod.js';

/** A taint as the node's spec or a controller's own copy holds it. */
type TaintLike = Pick<Taint, 'key' | 'value'> & { effect: string };

export function tolerates(toleration: Toleration, taint: TaintLike): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

export function toleratesAll(tolerations: Toleration[] | undefined, taint: TaintLike): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}
