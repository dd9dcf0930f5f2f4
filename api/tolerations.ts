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

/** Whether `wide` tolerates everything `t` does (so `t` adds nothing beside it). */
function covers(wide: Toleration, t: Toleration): boolean {
  if (JSON.stringify(canonicalToleration(wide)) === JSON.stringify(canonicalToleration(t))) return true;
  // An empty key with Exists matches every key.
  if ((t.key ?? '') !== (wide.key ?? '') && ((wide.key ?? '') !== '' || wide.operator !== 'Exists')) return false;
  // An empty effect matches every effect.
  if ((t.effect ?? '') !== (wide.effect ?? '') && (wide.effect ?? '') !== '') return false;
  if (wide.effect === 'NoExecute' && wide.tolerationSeconds !== undefined && wide.tolerationSeconds !== null) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null || t.tolerationSeconds > wide.tolerationSeconds) return false;
  }
  if (wide.operator === 'Exists') return true;
  if ((wide.operator ?? 'Equal') === 'Equal') return (t.operator ?? 'Equal') === 'Equal' && (t.value ?? '') === (wide.value ?? '');
  return false;
}

function canonicalToleration(t: Toleration): unknown[] {
  return [t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '', t.tolerationSeconds ?? null];
}

/**
 * Both lists in one, in order, without a toleration that another one already covers (of two
 * equal ones the first stays): what a RuntimeClass's tolerations add to a pod's.
 */
export function mergeTolerations(first: Toleration[], second: Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => covers(m, t))) return;
    const same = JSON.stringify(canonicalToleration(t));
    if (all.slice(i + 1).some((later) => JSON.stringify(canonicalToleration(later)) !== same && covers(later, t))) return;
    merged.push(t);
  });
  return merged;
}
