// What the scheduler keeps of each pod and node it watches: what its queue, cache and plugins
// read, and nothing else. Most of a running pod's weight is what its kubelet reports (container
// states, IPs, conditions with their times) and what is the kubelet's business (container
// command, env, probes, mounts; volumes other than claims); most of a node's is its addresses,
// system info and image list. Dropping them as objects arrive is what makes 5,000 pods cheap
// to hold. The scheduler never writes a cached object back (it binds, and patches conditions),
// so nothing dropped here is ever lost on the server. A plugin that comes to read another
// field adds it here.
import type { Node } from '../api/types/core.js';
import type { Pod, PodStatus } from '../api/types/pod.js';
import { claimVolumes, pick, trimContainers } from '../client/pod-trims.js';

/** A pod waiting to be scheduled: its conditions (PodScheduled) and nomination too. */
const WAITING_POD_STATUS = ['phase', 'conditions', 'nominatedNodeName'] as const satisfies ReadonlyArray<keyof PodStatus>;
/** A pod on a node: whether it still holds its resources, and since when it runs (preemption spares the older). */
const PLACED_POD_STATUS = ['phase', 'startTime'] as const;

export function trimPod(pod: Pod): Pod {
  const spec = pod.spec;
  if (Array.isArray(spec?.containers)) spec.containers = trimContainers(spec.containers);
  if (Array.isArray(spec?.initContainers)) spec.initContainers = trimContainers(spec.initContainers);
  // Volume binding reads claims; the other volumes are the kubelet's.
  if (Array.isArray(spec?.volumes)) spec.volumes = claimVolumes(spec.volumes);
  if (pod.status) {
    const status = pod.status;
    pod.status = pick(status, spec?.nodeName ? PLACED_POD_STATUS : WAITING_POD_STATUS);
    // A placed pod being deleted: whether preemption is why (its DisruptionTarget condition).
    if (spec?.nodeName && pod.metadata?.deletionTimestamp && Array.isArray(status.conditions)) {
      const disruption = status.conditions.filter((c) => c?.type === 'DisruptionTarget');
      if (disruption.length) pod.status.conditions = disruption;
    }
  }
  return pod;
}

export function trimNode(node: Node): Node {
  // Images by name and size only (ImageLocality): their digests aside, names are what pods ask for.
  if (node.status) node.status = pick(node.status, ['capacity', 'allocatable', 'conditions', 'images']);
  return node;
}

/** What selects pods (Services, ReplicationControllers, ReplicaSets, StatefulSets): only their selector, for default spreading. */
export function trimSelecting<T extends { metadata?: object; spec?: { selector?: unknown } }>(o: T): T {
  return { metadata: o.metadata, spec: o.spec?.selector === undefined ? {} : { selector: o.spec.selector } } as T;
}
