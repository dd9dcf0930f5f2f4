// Which pod goes first when the node runs short, as Kubernetes' eviction manager ranks them:
// for memory and disk, pods using more than they asked for first, then lower priority, then the
// largest use above the request; for process ids, lower priority, then the most processes. A pod
// whose use could not be measured goes first. And the message an evicted pod carries.
import { podResourceTotals } from '../../api/pod-resources.js';
import { parseQuantity } from '../../api/quantity.js';
import { canonicalQuantity } from '../../api/quantity-canonical.js';
import type { Pod } from '../../api/types/pod.js';
import { formatAmount, type StarvedResource } from './thresholds.js';

/** What a pod uses, as the eviction manager measures it. */
export interface PodUsage {
  /** Memory working set of its containers, in bytes. */
  memory?: number;
  /** Processes (tasks) in its containers. */
  processes?: number;
  /** Bytes and inodes of its containers' writable layers and its local volumes on the node's disk. */
  disk?: { bytes: number; inodes: number };
  containers: Array<{ name: string; memory?: number; diskBytes?: number }>;
  /** Bytes used in each of its emptyDir volumes on disk, by volume name. */
  volumes: Map<string, number>;
  /** Inodes used in each of them, when measured. */
  volumeInodes?: Map<string, number>;
}

export type UsageOf = (pod: Pod) => PodUsage | undefined;

/** The pod's request of a resource: its containers' (api/pod-resources.ts) and its overhead. */
export function podRequest(pod: Pod, resource: 'memory' | 'ephemeral-storage'): number {
  const fromContainers = podResourceTotals(pod.spec, 'requests').get(resource) ?? 0;
  const overhead = parseQuantity((pod.spec.overhead as Record<string, string> | undefined)?.[resource]) ?? 0;
  return fromContainers + overhead;
}

const priorityOf = (p: Pod) => (typeof p.spec.priority === 'number' ? p.spec.priority : 0);

type Compare = (a: Pod, b: Pod) => number;

/** true before false. */
const trueFirst = (a: boolean, b: boolean) => (a === b ? 0 : a ? -1 : 1);

/** Pods without measurements first; otherwise `by` on both measurements. */
function measured(usage: UsageOf, by: (a: Pod, ua: PodUsage, b: Pod, ub: PodUsage) => number): Compare {
  return (a, b) => {
    const ua = usage(a);
    const ub = usage(b);
    if (!ua || !ub) return trueFirst(!ua, !ub);
    return by(a, ua, b, ub);
  };
}

const byPriority: Compare = (a, b) => priorityOf(a) - priorityOf(b);

function ordered(...compares: Compare[]): Compare {
  return (a, b) => {
    for (const c of compares) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  };
}

const memoryUsed = (u: PodUsage) => u.memory ?? 0;
const diskUsed = (u: PodUsage, resource: 'ephemeral-storage' | 'inodes') => (resource === 'inodes' ? (u.disk?.inodes ?? 0) : (u.disk?.bytes ?? 0));

/** Pods in the order they are evicted to reclaim `resource`. */
export function rankForEviction(pods: Pod[], resource: StarvedResource, usage: UsageOf): Pod[] {
  let compare: Compare;
  if (resource === 'memory') {
    compare = ordered(
      measured(usage, (a, ua, b, ub) => trueFirst(memoryUsed(ua) > podRequest(a, 'memory'), memoryUsed(ub) > podRequest(b, 'memory'))),
      byPriority,
      measured(usage, (a, ua, b, ub) => memoryUsed(ub) - podRequest(b, 'memory') - (memoryUsed(ua) - podRequest(a, 'memory'))),
    );
  } else if (resource === 'pids') {
    compare = ordered(
      byPriority,
      measured(usage, (_a, ua, _b, ub) => (ub.processes ?? 0) - (ua.processes ?? 0)),
    );
  } else {
    // Inodes have no request: a pod using any exceeds it (as Kubernetes compares against a zero request).
    const request = (p: Pod) => (resource === 'inodes' ? 0 : podRequest(p, 'ephemeral-storage'));
    compare = ordered(
      measured(usage, (a, ua, b, ub) => trueFirst(diskUsed(ua, resource) > request(a), diskUsed(ub, resource) > request(b))),
      byPriority,
      measured(usage, (a, ua, b, ub) => diskUsed(ub, resource) - podRequest(b, 'ephemeral-storage') - (diskUsed(ua, resource) - podRequest(a, 'ephemeral-storage'))),
    );
  }
  return [...pods].sort(compare);
}

/**
 * Why a pod was evicted for `resource`, in Kubernetes' words: the resource, the threshold and
 * what was available, and each container using more than it asked for.
 */
export function evictionMessage(pod: Pod, resource: StarvedResource, threshold: { quantity: string; available: number } | undefined, usage: PodUsage | undefined): string {
  let message = `The node was low on resource: ${resource}. `;
  if (threshold) message += `Threshold quantity: ${threshold.quantity}, available: ${formatAmount(threshold.available, resource)}. `;
  if (!usage || (resource !== 'memory' && resource !== 'ephemeral-storage')) return message;
  const specs = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  for (const c of usage.containers) {
    const spec = specs.find((s) => s.name === c.name);
    if (!spec) continue;
    const used = resource === 'memory' ? c.memory : c.diskBytes;
    const requestText = (spec.resources?.requests as Record<string, string> | undefined)?.[resource];
    const request = parseQuantity(requestText) ?? 0;
    if (used !== undefined && used > request) {
      message += `Container ${c.name} was using ${formatAmount(used, resource)}, request is ${requestText === undefined ? '0' : (canonicalQuantity(requestText) ?? requestText)}, has larger consumption of ${resource}. `;
    }
  }
  return message;
}
