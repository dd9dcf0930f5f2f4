// What the scheduler keeps of each pod and node it watches: what its queue, cache and plugins
// read, and nothing else. Most of a running pod's weight is what its kubelet reports (container
// states, IPs, conditions with their times) and container fields that are the kubelet's
// business (command, env, probes, mounts); most of a node's is its addresses, system info and
// image list. Dropping them as objects arrive is what makes 5,000 pods cheap to hold. The
// scheduler never writes a cached object back (it binds, and patches conditions), so nothing
// dropped here is ever lost on the server. A plugin that comes to read another field adds it
// here.
import type { Node } from '../api/types/core.js';
import type { Container, Pod, PodStatus } from '../api/types/pod.js';

/** A copy of `from` with only the `keys` it has. */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const CONTAINER_FIELDS = ['name', 'image', 'resources', 'ports', 'restartPolicy'] as const;
/** A pod waiting to be scheduled: its conditions (PodScheduled) and nomination too. */
const WAITING_POD_STATUS = ['phase', 'conditions', 'nominatedNodeName'] as const satisfies ReadonlyArray<keyof PodStatus>;
/** A pod on a node: whether it still holds its resources. */
const PLACED_POD_STATUS = ['phase'] as const;

export function trimPod(pod: Pod): Pod {
  const spec = pod.spec;
  if (spec?.containers) spec.containers = spec.containers.map((c) => pick(c, CONTAINER_FIELDS) as Container);
  if (spec?.initContainers) spec.initContainers = spec.initContainers.map((c) => pick(c, CONTAINER_FIELDS) as Container);
  if (pod.status) pod.status = pick(pod.status, spec?.nodeName ? PLACED_POD_STATUS : WAITING_POD_STATUS);
  return pod;
}

export function trimNode(node: Node): Node {
  if (node.status) node.status = pick(node.status, ['capacity', 'allocatable', 'conditions']);
  return node;
}
