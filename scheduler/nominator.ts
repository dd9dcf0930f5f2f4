// The pods nominated to nodes: a pod that preempted others waits, under status.nominatedNodeName,
// for its victims to leave, and pods of lower or equal priority must not take that room in the
// meantime (kube-scheduler's nominator). A nomination this scheduler made stands in memory
// before its status write shows in the informer, and until the pod is placed, gone or
// nominated elsewhere.
import type { Pod } from '../api/types/pod.js';

export class Nominator {
  private readonly byPod = new Map<string, { node: string; pod: Pod }>();
  private nodes?: Map<string, Pod[]>;

  nominate(key: string, pod: Pod, node: string): void {
    this.byPod.set(key, { node, pod });
    this.nodes = undefined;
  }

  remove(key: string): void {
    if (this.byPod.delete(key)) this.nodes = undefined;
  }

  nodeOf(key: string): string | undefined {
    return this.byPod.get(key)?.node;
  }

  /** A waiting pod as the informer shows it now: its status's nomination wins; one cleared there goes. */
  observe(key: string, pod: Pod, old?: Pod): void {
    const node = pod.status?.nominatedNodeName;
    if (node) return this.nominate(key, pod, node);
    if (old?.status?.nominatedNodeName) return this.remove(key);
    // Our own nomination whose status write has not shown yet: keep it, with the newer pod.
    const mine = this.byPod.get(key);
    if (mine) this.nominate(key, pod, mine.node);
  }

  /** The pods nominated to each node, or undefined when there are none (the usual case). */
  byNode(): ReadonlyMap<string, readonly Pod[]> | undefined {
    if (!this.byPod.size) return undefined;
    if (!this.nodes) {
      this.nodes = new Map();
      for (const { node, pod } of this.byPod.values()) (this.nodes.get(node) ?? this.nodes.set(node, []).get(node)!).push(pod);
    }
    return this.nodes;
  }

  podsOn(node: string): readonly Pod[] {
    return this.byNode()?.get(node) ?? [];
  }
}
