// What a kubelet reports of a container's mounts in its status, whatever runs the container:
// the real kubelet and the simulated nodes write the same.
import type { Container, ContainerStatus } from './types/pod.js';

/**
 * A container's mounts as Kubernetes' kubelet reports them since 1.31: a read-only one says it
 * is not recursively read-only (neither runtime here makes one so).
 */
export function mountStatuses(spec: Pick<Container, 'volumeMounts'>): Pick<ContainerStatus, 'volumeMounts'> {
  if (!spec.volumeMounts?.length) return {};
  return { volumeMounts: spec.volumeMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}) })) };
}
