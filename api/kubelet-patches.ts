// How a node (the kubelet, or a simulated one) writes its pods' and its own status: strategic
// merge patches, as Kubernetes' kubelet sends. Conditions merge by type and a patch names only
// the node's own, so a condition someone else adds meanwhile (DisruptionTarget from a
// preemption or an eviction, a readiness gate's, a node problem detector's) is never lost;
// container statuses are replaced as a whole, and addresses by a replace marker.
import type { PodCondition, PodStatus } from './types/pod.js';

/** The pod condition types a node owns and writes every time. */
export const KUBELET_POD_CONDITIONS: ReadonlySet<string> = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** The strategic merge patch that makes a pod's status say `status` in everything a node owns. */
export function podStatusPatch(status: PodStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...status };
  const conditions = status.conditions ?? [];
  // Only our own conditions, each whole: a field we no longer set (a reason once Ready) is
  // cleared, since a merged element keeps the fields a patch leaves out. lastProbeTime, which
  // a node never sets, is left as stored (null in a patch would delete it).
  // And the DisruptionTarget a node sets when it evicts a pod (one a controller set stays theirs).
  const ours = (c: PodCondition) => KUBELET_POD_CONDITIONS.has(c.type) || (c.type === 'DisruptionTarget' && c.reason === 'TerminationByKubelet');
  patch.conditions = conditions.filter(ours).map(ownCondition);
  patch['$setElementOrder/conditions'] = conditions.map((c) => ({ type: c.type }));
  for (const k of ['podIPs', 'hostIPs'] as const) if (Array.isArray(status[k])) patch[k] = replacing(status[k]);
  return patch;
}

/**
 * A keyed list as a patch that makes it exactly this one: addresses merge by ip (pods) or by
 * type (nodes), which would keep an address the node no longer has.
 */
function replacing(items: unknown[]): unknown[] {
  return [{ $patch: 'replace' }, ...items];
}

function ownCondition(c: PodCondition): Record<string, unknown> {
  const { lastProbeTime: _probe, ...rest } = c;
  return { reason: null, message: null, ...rest };
}

/** The node condition types a node owns; others (NetworkUnavailable, a detector's) it leaves alone. */
export const KUBELET_NODE_CONDITIONS: ReadonlySet<string> = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);

/** The strategic merge patch of a Node's status (which names only the node's own conditions). */
export function nodeStatusPatch(status: Record<string, unknown>): Record<string, unknown> {
  return Array.isArray(status.addresses) ? { ...status, addresses: replacing(status.addresses) } : status;
}
