// What the scheduler knows about one node: the node itself, the pods on it (bound or assumed)
// and what they request in total.
import { isNodeReady } from '../api/conditions.js';
import { milliValue, parseQuantity } from '../api/quantity.js';
import { aggregateContainers, isScalarResource } from '../api/pod-resources.js';
import type { Node, Taint } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
  /** Extended resources (example.com/gpu), hugepages and the like, by name; absent when there are none. */
  scalar?: Map<string, number>;
}

/** Adds (or with sign -1, takes away) `from`'s scalar resources into `into`'s. */
export function addScalar(into: Resources, from: Resources, sign = 1): void {
  if (!from.scalar) return;
  into.scalar ??= new Map();
  for (const [k, v] of from.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
}

function scalarOf(list: Record<string, unknown> | undefined): Map<string, number> | undefined {
  let out: Map<string, number> | undefined;
  for (const [k, v] of Object.entries(list ?? {})) {
    if (!isScalarResource(k)) continue;
    (out ??= new Map()).set(k, parseQuantity(v as string) ?? 0);
  }
  return out;
}

export interface NodeInfo {
  node: Node;
  pods: Pod[];
  requested: Resources;
  allocatable: Resources;
  /** "protocol/hostIP/port" of every host port in use. */
  usedPorts: Set<string>;
  /** The pods here with inter-pod affinity or anti-affinity terms (few, usually none): the only ones whose own terms the affinity plugins must read. */
  affinityPods: Pod[];
  /** The node's Ready condition is True (read once per node version, not per pod). */
  ready: boolean;
  /** spec.unschedulable (cordoned), read once per node version. */
  unschedulable: boolean;
  /** Its NoSchedule and NoExecute taints (those that keep pods out), and its PreferNoSchedule ones. */
  blockingTaints: Taint[];
  preferNoScheduleTaints: Taint[];
  /** Ready, not cordoned, no blocking taint: filters marked passesOpenNodes need not look. */
  open: boolean;
  /** The images the node reports (status.images), each name to its size in bytes; absent when none. */
  images?: ReadonlyMap<string, number>;
}

/** What a node's spec and status say, read once per node version rather than once per pod and node. */
function nodeFacts(node: Node): Pick<NodeInfo, 'ready' | 'unschedulable' | 'blockingTaints' | 'preferNoScheduleTaints' | 'allocatable' | 'open' | 'images'> {
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const taints = node.spec?.taints ?? [];
  const ready = isNodeReady(node);
  const unschedulable = !!node.spec?.unschedulable;
  const blockingTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return {
    ready,
    unschedulable,
    open: ready && !unschedulable && blockingTaints.length === 0,
    blockingTaints,
    preferNoScheduleTaints: taints.filter((t) => t.effect === 'PreferNoSchedule'),
    allocatable: {
      milliCPU: milliValue(alloc.cpu),
      memory: parseQuantity(alloc.memory) ?? 0,
      ephemeralStorage: parseQuantity(alloc['ephemeral-storage']) ?? 0,
      pods: Number(parseQuantity(alloc.pods) ?? 110),
      ...withScalar(scalarOf(alloc)),
    },
    images: imagesOf(node),
  };
}

function imagesOf(node: Node): Map<string, number> | undefined {
  const list = (node.status as { images?: { names?: unknown; sizeBytes?: unknown }[] } | undefined)?.images;
  if (!Array.isArray(list) || !list.length) return undefined;
  const images = new Map<string, number>();
  for (const image of list) {
    const size = typeof image?.sizeBytes === 'number' ? image.sizeBytes : 0;
    if (Array.isArray(image?.names)) for (const name of image.names) if (typeof name === 'string') images.set(name, size);
  }
  return images;
}

/** spec.priority, 0 when unset (as kube-scheduler reads it). */
export function podPriority(pod: Pod): number {
  return typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0;
}

/** A pod's effective request (api/pod-resources.ts: sidecars counted from their start), plus its overhead (RuntimeClass). */
export function podRequests(pod: Pod): Resources {
  let named: Set<string> | undefined;
  const total = aggregateContainers(pod.spec, (c) => {
    const requests = c.resources?.requests;
    const amounts = new Map([
      ['cpu', milliValue(requests?.cpu)],
      ['memory', parseQuantity(requests?.memory) ?? 0],
      ['ephemeral-storage', parseQuantity(requests?.['ephemeral-storage']) ?? 0],
    ]);
    // (for...in: no array per container on this path, taken for every pod scheduled)
    for (const k in requests) {
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage' || !isScalarResource(k)) continue;
      amounts.set(k, parseQuantity(requests[k]) ?? 0);
      (named ??= new Set()).add(k);
    }
    return amounts;
  });
  const sum: Resources = { milliCPU: total.get('cpu') ?? 0, memory: total.get('memory') ?? 0, ephemeralStorage: total.get('ephemeral-storage') ?? 0, pods: 1 };
  if (named) sum.scalar = new Map([...named].map((k) => [k, total.get(k) ?? 0]));
  const overhead = (pod.spec as { overhead?: Record<string, string> }).overhead;
  if (overhead) {
    sum.milliCPU += milliValue(overhead.cpu);
    sum.memory += parseQuantity(overhead.memory) ?? 0;
    sum.ephemeralStorage += parseQuantity(overhead['ephemeral-storage']) ?? 0;
    for (const [k, v] of scalarOf(overhead) ?? []) (sum.scalar ??= new Map()).set(k, (sum.scalar.get(k) ?? 0) + v);
  }
  return sum;
}

const withScalar = (scalar: Map<string, number> | undefined) => (scalar ? { scalar } : {});

export function hostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
  }
  return out;
}

export function portsConflict(used: Set<string>, wanted: string): boolean {
  const [proto, ip, port] = wanted.split('/');
  for (const u of used) {
    const [uproto, uip, uport] = u.split('/');
    if (uproto === proto && uport === port && (uip === ip || uip === '0.0.0.0' || ip === '0.0.0.0')) return true;
  }
  return false;
}

export function newNodeInfo(node: Node, pods: Pod[]): NodeInfo {
  const info: NodeInfo = {
    node,
    pods: [],
    requested: { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0 },
    usedPorts: new Set(),
    affinityPods: [],
    ...nodeFacts(node),
  };
  for (const p of pods) addPod(info, p);
  return info;
}

/** Whether the pod has inter-pod affinity or anti-affinity terms, required or preferred (Kubernetes' PodsWithAffinity). */
const hasPodAffinity = (pod: Pod) => {
  const a = pod.spec?.affinity;
  return !!(a?.podAffinity || a?.podAntiAffinity);
};

export function addPod(info: NodeInfo, pod: Pod): void {
  const r = podRequests(pod);
  info.pods.push(pod);
  info.requested.milliCPU += r.milliCPU;
  info.requested.memory += r.memory;
  info.requested.ephemeralStorage += r.ephemeralStorage;
  addScalar(info.requested, r);
  info.requested.pods += 1;
  for (const p of hostPorts(pod)) info.usedPorts.add(p);
  if (hasPodAffinity(pod)) info.affinityPods.push(pod);
}

/** Takes a pod (matched by uid) off the node; false if it was not there. */
export function removePod(info: NodeInfo, pod: Pod): boolean {
  const at = info.pods.findIndex((p) => p.metadata.uid === pod.metadata.uid);
  if (at < 0) return false;
  const gone = info.pods[at]!;
  info.pods.splice(at, 1);
  const r = podRequests(gone);
  info.requested.milliCPU -= r.milliCPU;
  info.requested.memory -= r.memory;
  info.requested.ephemeralStorage -= r.ephemeralStorage;
  addScalar(info.requested, r, -1);
  info.requested.pods -= 1;
  // Two pods never hold one host port on a node, so the gone pod's ports are free again.
  for (const p of hostPorts(gone)) info.usedPorts.delete(p);
  const withTerms = info.affinityPods.indexOf(gone);
  if (withTerms >= 0) info.affinityPods.splice(withTerms, 1);
  return true;
}

/** The node object changed (labels, taints, allocatable): its pods stay. */
export function setNode(info: NodeInfo, node: Node): void {
  info.node = node;
  Object.assign(info, nodeFacts(node));
}
