// The node's own admission of pods, as Kubernetes' kubelet does it: a pod bound here (by the
// scheduler, or given spec.nodeName directly) runs only if the node is not refusing pods under
// resource pressure (the eviction manager says) and its allocatable pods, CPU and memory can hold
// its requests beside the pods it already admitted; else it is rejected (failed with Evicted,
// OutOfpods, OutOfcpu or OutOfmemory), never started. A pod is judged once: one the node
// started before (it has a startTime) counts as admitted, so a restarted kubelet keeps its pods.
import { isPodFinished } from '../../api/conditions.js';
import { milliValue, parseQuantity } from '../../api/quantity.js';
import { aggregateContainers, isScalarResource } from '../../api/pod-resources.js';
import type { Pod } from '../../api/types/pod.js';

export interface Rejection {
  reason: string;
  message: string;
}

/**
 * A pod's requests by resource (api/pod-resources.ts: sidecars counted from their start): cpu in
 * millicores, the rest in their units; ephemeral-storage and extended resources too.
 */
export function podRequests(pod: Pod): Map<string, number> {
  return aggregateContainers(pod.spec, (c) => {
    const requests = (c?.resources?.requests ?? {}) as Record<string, string>;
    const amounts = new Map<string, number>([
      ['cpu', milliValue(requests.cpu)],
      ['memory', Math.ceil(parseQuantity(requests.memory) ?? 0)],
      ['ephemeral-storage', Math.ceil(parseQuantity(requests['ephemeral-storage']) ?? 0)],
    ]);
    for (const [k, v] of Object.entries(requests)) if (isScalarResource(k)) amounts.set(k, Math.ceil(parseQuantity(v) ?? 0));
    return amounts;
  });
}

export class NodeAdmission {
  private readonly admitted = new Set<string>();

  constructor(
    /** The pods bound to this node. */
    private readonly pods: () => Pod[],
    /** The node's allocatable resources. */
    private readonly allocatable: () => Record<string, string>,
    /** Why the node refuses new pods under resource pressure (the eviction manager's), judged first. */
    private readonly pressure?: (pod: Pod) => Rejection | undefined,
  ) {}

  private isAdmitted(p: Pod): boolean {
    return this.admitted.has(p.metadata.uid!) || !!p.status?.startTime;
  }

  /** Why the node cannot run `pod`, or undefined when it can (it is then admitted for good). */
  check(pod: Pod): Rejection | undefined {
    if (this.isAdmitted(pod) || isPodFinished(pod)) return undefined;
    const refused = this.pressure?.(pod);
    if (refused) return refused;
    const others = this.pods().filter((p) => p.metadata.uid !== pod.metadata.uid && !isPodFinished(p) && this.isAdmitted(p));
    const alloc = this.allocatable();
    const wants = podRequests(pod);
    // Extended resources the node does not advertise at all are not judged here (Kubernetes'
    // kubelet leaves them to whoever placed the pod, a scheduler extender say).
    const judged = ['pods', 'cpu', 'memory', 'ephemeral-storage', ...[...wants.keys()].filter((r) => isScalarResource(r) && alloc[r] !== undefined)];
    const capacityOf = (r: string) => {
      const q = parseQuantity(alloc[r]);
      if (q === undefined) return Infinity;
      return Math.floor(r === 'cpu' ? q * 1000 : q);
    };
    const used = new Map<string, number>([['pods', others.length]]);
    for (const p of others) for (const [r, v] of podRequests(p)) used.set(r, (used.get(r) ?? 0) + v);
    wants.set('pods', 1);
    for (const r of judged) {
      const want = wants.get(r) ?? 0;
      const have = used.get(r) ?? 0;
      const capacity = capacityOf(r);
      // Kubernetes checks only what the pod asks for (a pod asking for no CPU always fits).
      if (want > 0 && have + want > capacity) {
        return { reason: `OutOf${r}`, message: `Node didn't have enough resource: ${r}, requested: ${want}, used: ${have}, capacity: ${capacity}` };
      }
    }
    this.admitted.add(pod.metadata.uid!);
    return undefined;
  }

  /** Forgets a pod that is gone. */
  forget(uid: string): void {
    this.admitted.delete(uid);
  }
}
