// The scheduler's picture of the cluster, kept current by informer events rather than rebuilt
// for every pod: a NodeInfo per node with the pods bound or assumed there and their totals.
// A pod is counted once, where it was last placed: assumed (binding in flight) until the
// informer shows it bound, then as bound; finished and deleted pods drop out.
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import { isPodFinished } from '../api/conditions.js';
import { addPod, newNodeInfo, removePod, setNode, type NodeInfo } from './node-info.js';

const keyOf = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;

export class SchedulerCache {
  /** Every node's info; pods on a node the cache has not seen (yet, or any more) wait under its name without a Node. */
  private readonly infos = new Map<string, NodeInfo>();
  private readonly placed = new Map<string, { node: string; pod: Pod; assumed: boolean }>();
  /** The nodes the informer has (infos may also stand for pods on nodes it does not have). */
  private readonly known = new Set<string>();
  private ordered?: NodeInfo[];
  /** The infos holding pods with inter-pod (anti-)affinity terms (usually none): whose terms the affinity plugins must read. */
  private readonly affinityHolders = new Set<NodeInfo>();

  private info(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) {
      info = newNodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name } }, []);
      this.infos.set(name, info);
    }
    return info;
  }

  setNode(node: Node): void {
    const name = node.metadata.name!;
    setNode(this.info(name), node);
    if (!this.known.has(name)) {
      this.known.add(name);
      this.ordered = undefined;
    }
  }

  removeNode(name: string): void {
    if (!this.known.delete(name)) return;
    this.ordered = undefined;
    // Its pods stay counted under the name until they go: a node that comes back has them.
    const info = this.infos.get(name);
    if (info && info.pods.length === 0) this.infos.delete(name);
  }

  /** A known node's info. */
  nodeInfo(name: string): NodeInfo | undefined {
    return this.known.has(name) ? this.infos.get(name) : undefined;
  }

  /** The known nodes holding pods with inter-pod affinity or anti-affinity terms. */
  nodesWithAffinityPods(): NodeInfo[] {
    return [...this.affinityHolders].filter((i) => this.known.has(i.node.metadata.name!));
  }

  /** Keeps affinityHolders true after `info` gained or lost a pod. */
  private trackAffinity(info: NodeInfo): void {
    if (info.affinityPods.length) this.affinityHolders.add(info);
    else this.affinityHolders.delete(info);
  }

  /** The nodes, in a stable order (by name), for one scheduling cycle; plugins must not change them. */
  nodes(): NodeInfo[] {
    this.ordered ??= [...this.known].sort().map((n) => this.infos.get(n)!);
    return this.ordered;
  }

  private take(key: string): void {
    const was = this.placed.get(key);
    if (!was) return;
    this.placed.delete(key);
    const info = this.infos.get(was.node);
    if (!info) return;
    removePod(info, was.pod);
    this.trackAffinity(info);
    if (info.pods.length === 0 && !this.known.has(was.node)) this.infos.delete(was.node);
  }

  /** A pod as the informer shows it now (added or updated): counted where it is bound, if it counts. */
  updatePod(pod: Pod): void {
    const key = keyOf(pod);
    const node = pod.spec.nodeName;
    if (!node || isPodFinished(pod)) {
      // Not bound (yet): an assumed placement stands until the binding shows or fails.
      if (!node && this.placed.get(key)?.assumed) return;
      return this.take(key);
    }
    this.take(key);
    const info = this.info(node);
    addPod(info, pod);
    this.trackAffinity(info);
    this.placed.set(key, { node, pod, assumed: false });
  }

  removePod(pod: Pod): void {
    this.take(keyOf(pod));
  }

  /** Counts `pod` on `node` before its binding is confirmed, so no other pod takes the room. */
  assume(pod: Pod, node: string): void {
    const key = keyOf(pod);
    this.take(key);
    const placed = { ...pod, spec: { ...pod.spec, nodeName: node } };
    const info = this.info(node);
    addPod(info, placed);
    this.trackAffinity(info);
    this.placed.set(key, { node, pod: placed, assumed: true });
  }

  /** The binding failed: the room is free again. */
  forget(pod: Pod): void {
    const key = keyOf(pod);
    if (this.placed.get(key)?.assumed) this.take(key);
  }

  isAssumed(key: string): boolean {
    return this.placed.get(key)?.assumed ?? false;
  }
}
