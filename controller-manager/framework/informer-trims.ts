// What the controller-manager keeps of each pod and node it watches. Every controller that follows pods
// shares one informer, so this keeps what any of them reads: metadata, the whole spec but for
// the kubelet's part of containers (command, env, probes, mounts) and volumes other than claims
// (the volume protection controller reads claims only), and the whole status but for container
// images and IDs. No controller writes a cached pod back (they patch, delete, or read the
// live object first, as the garbage collector does), so nothing dropped here is lost on the
// server. A controller that comes to read another field adds it here.
import type { Node } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import { claimVolumes, podFamily, trimContainers, trimContainerStatuses } from '../../client/pod-trims.js';

export function trimPodForControllers(pod: Pod): Pod {
  const { spec, status } = pod;
  // Shapes are checked, not assumed: a malformed object must not stop the informer.
  if (Array.isArray(spec?.containers)) spec.containers = trimContainers(spec.containers);
  if (Array.isArray(spec?.initContainers)) spec.initContainers = trimContainers(spec.initContainers);
  if (Array.isArray(spec?.volumes)) spec.volumes = claimVolumes(spec.volumes);
  if (Array.isArray(status?.containerStatuses)) status.containerStatuses = trimContainerStatuses(status.containerStatuses);
  if (Array.isArray(status?.initContainerStatuses)) status.initContainerStatuses = trimContainerStatuses(status.initContainerStatuses);
  return pod;
}

/** A node's status fields no controller here reads, and that weigh most: a real kubelet lists up to 50 images. */
const UNREAD_NODE_STATUS = new Set(['images', 'nodeInfo']);

/**
 * What the controller-manager keeps of each node: all but its image list and system info. The
 * node lifecycle controller patches status conditions and updates the main resource (whose
 * write leaves status alone), so nothing dropped here is lost on the server.
 */
export function trimNodeForControllers(node: Node): Node {
  const status = node.status as Record<string, unknown> | undefined;
  if (!status || typeof status !== 'object') return node;
  // Built anew rather than with delete, which would leave the object in V8's slower, larger dictionary mode.
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) if (!UNREAD_NODE_STATUS.has(k)) kept[k] = v;
  node.status = kept as Node['status'];
  return node;
}

/**
 * How the controller-manager's informers keep pods and nodes, by resource path (the tests'
 * fake context uses it too): trimmed, and sharing the parts a family repeats (no controller
 * changes a cached object in place).
 */
export const INFORMER_KEEPING = {
  'v1/pods': { transform: trimPodForControllers, family: podFamily },
  'v1/nodes': { transform: trimNodeForControllers, family: () => '' },
} as const satisfies Record<string, { transform: (obj: never) => unknown; family: (obj: never) => string }>;
