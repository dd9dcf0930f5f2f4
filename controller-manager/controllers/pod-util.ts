// Pod facts controllers share: active, ready, available, and which pods go first when a
// controller scales down (the kubelet's and ReplicaSet controller's rules).
import type { Pod } from '../../api/types/pod.js';
import { findCondition, isPodFinished, isPodReady, type Condition } from '../../api/conditions.js';

export function isActive(pod: Pod): boolean {
  return !isPodFinished(pod) && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: Pod): Condition | undefined {
  return findCondition(pod, 'Ready');
}

export function isReady(pod: Pod): boolean {
  return isPodReady(pod);
}

/** Ready for at least minReadySeconds at `now`. */
export function isAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available, 0 if it already is or is not ready. */
export function untilAvailable(pod: Pod, minReadySeconds: number, now: number): number {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !minReadySeconds || !c.lastTransitionTime) return 0;
  return Math.max(0, Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - now);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0);
}

/**
 * Order for scale-down, most expendable first: unscheduled before scheduled, Pending before
 * Unknown before Running, not ready before ready, ready for less time before longer, more
 * restarts before fewer, newer before older.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  if (isReady(a) !== isReady(b)) return isReady(a) ? 1 : -1;
  if (isReady(a) && isReady(b)) {
    const since = (p: Pod) => Date.parse(readyCondition(p)?.lastTransitionTime ?? '') || 0;
    if (since(a) !== since(b)) return since(b) - since(a); // more recently ready goes first
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return created(b) - created(a);
}
