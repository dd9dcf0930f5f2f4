// The node's own admission of pods, as Kubernetes' kubelet does it: a pod bound here (by the
// scheduler, or given spec.nodeName directly) runs only if the node's allocatable pods, CPU and
// memory can hold its requests beside the pods it already admitted; else it is rejected (failed
// with OutOfpods, OutOfcpu or OutOfmemory), never started. A pod is judged once: one the node
// started before (it has a startTime) counts as admitted, so a restarted kubelet keeps its pods.
import { isPodFinished } from '../../api/conditions.js';
import { milliValue, parseQuantity } from '../../api/quantity.js';
import { aggregateContainers } from '../../api/pod-resources.js';
import type { Pod } from '../../api/types/pod.js';

export interface Rejection {
  reason: string;
  message: string;
}

/** A pod's requests: cpu in millicores, memory in bytes (api/pod-resources.ts: sidecars counted from their start). */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  const total = aggregateContainers(pod.spec, (c) =>
    new Map([
      ['cpu', milliValue(c?.resources?.requests?.cpu)],
      ['memory', Math.ceil(parseQuantity(c?.resources?.requests?.memory) ?? 0)],
    ]),
  );
  return { cpu: total.get('cpu') ?? 0, memory: total.get('memory') ?? 0 };
}

export class NodeAdmission {
  private readonly admitted = new Set<string>();

  constructor(
    /** The pods bound to this node. */
    private readonly pods: () => Pod[],
    /** The node's allocatable resources. */
    private readonly allocatable: () => Record<string, string>,
  ) {}

  private isAdmitted(p: Pod): boolean {
    return this.admitted.has(p.metadata.uid!) || !!p.status?.startTime;
  }

  /** Why the node cannot run `pod`, or undefined when it can (it is then admitted for good). */
  check(pod: Pod): Rejection | undefined {
    if (this.isAdmitted(pod) || isPodFinished(pod)) return undefined;
    const others = this.pods().filter((p) => p.metadata.uid !== pod.metadata.uid && !isPodFinished(p) && this.isAdmitted(p));
    const alloc = this.allocatable();
    const capacity = {
      pods: Math.floor(parseQuantity(alloc.pods) ?? Infinity),
      cpu: Math.floor((parseQuantity(alloc.cpu) ?? Infinity) * 1000),
      memory: Math.floor(parseQuantity(alloc.memory) ?? Infinity),
    };
    const used = { pods: others.length, cpu: 0, memory: 0 };
    for (const p of others) {
      const r = podRequests(p);
      used.cpu += r.cpu;
      used.memory += r.memory;
    }
    const wants = { pods: 1, ...podRequests(pod) };
    for (const r of ['pods', 'cpu', 'memory'] as const) {
      // Kubernetes checks only what the pod asks for (a pod asking for no CPU always fits).
      if (wants[r] > 0 && used[r] + wants[r] > capacity[r]) {
        return { reason: `OutOf${r}`, message: `Node didn't have enough resource: ${r}, requested: ${wants[r]}, used: ${used[r]}, capacity: ${capacity[r]}` };
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
