// Pieces of pods that control loops never read, for informer transforms (client-go's
// SetTransform) in the components that hold thousands of pods. Every pod carries a projected
// service-account volume: a dozen small objects (token, CA ConfigMap, namespace file) that only
// the kubelet reads, and container fields (command, env, probes, mounts) that are its business
// too. What a component keeps is its own choice (scheduler/informer-trims.ts,
// controller-manager/framework/informer-trims.ts); these are the shared parts.
import type { Container, ContainerStatus, Pod, Volume } from '../api/types/pod.js';

/** A copy of `from` with only the `keys` it has. */
export function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/** Container fields a control-plane loop reads: requests and limits, ports, a sidecar's restart policy. */
export const CONTAINER_FIELDS = ['name', 'image', 'resources', 'ports', 'restartPolicy'] as const satisfies ReadonlyArray<keyof Container>;

export function trimContainers(containers: Container[]): Container[] {
  return containers.map((c) => (c && typeof c === 'object' ? (pick(c, CONTAINER_FIELDS) as Container) : c));
}

/**
 * The volumes that refer to something in the API: claims (persistentVolumeClaim, or the claim
 * an ephemeral volume makes, named after the pod and the volume), kept whole. Every other
 * volume (projected tokens, ConfigMap and Secret items, host paths, emptyDir) is the kubelet's
 * business and is dropped.
 */
export function claimVolumes(volumes: Volume[]): Volume[] {
  return volumes.filter((v) => v?.persistentVolumeClaim !== undefined || v?.ephemeral !== undefined);
}

/** Container status fields a control loop reads: readiness, restarts, how the container ended. */
const CONTAINER_STATUS_FIELDS = ['name', 'state', 'lastState', 'ready', 'started', 'restartCount'] as const satisfies ReadonlyArray<keyof ContainerStatus>;

export function trimContainerStatuses(statuses: ContainerStatus[]): ContainerStatus[] {
  return statuses.map((s) => (s && typeof s === 'object' ? (pick(s, CONTAINER_STATUS_FIELDS) as ContainerStatus) : s));
}

/**
 * A pod's family for informers that share what pods repeat (InformerOptions.family): its
 * controller (pods of one template), else its namespace.
 */
export function podFamily(pod: Pod): string {
  const refs = pod.metadata?.ownerReferences;
  const controller = Array.isArray(refs) ? refs.find((r) => r?.controller === true) : undefined;
  return typeof controller?.uid === 'string' ? controller.uid : `ns:${String(pod.metadata?.namespace)}`;
}
