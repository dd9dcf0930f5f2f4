// The PersistentVolumeClaims a pod uses: those its volumes name, and for each generic ephemeral
// volume the claim made for it, named <pod>-<volume>. Such a claim is the pod's only when the
// pod is its controlling owner: a claim of that name made by anyone else is never used, so a pod
// cannot reach another's data by choosing its own name (Kubernetes' rule, kept by the scheduler
// and the kubelet alike).
import type { KubeObject } from './types/meta.js';
import type { Pod, Volume } from './types/pod.js';

/** The claim made for a pod's generic ephemeral volume. */
export function ephemeralClaimName(pod: Pod, volume: Volume): string {
  return `${pod.metadata.name}-${volume.name}`;
}

/** The claims made for the pod's generic ephemeral volumes. */
export function ephemeralClaimNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).filter((v) => v && typeof v === 'object' && v.ephemeral).map((v) => ephemeralClaimName(pod, v));
}

/** The claim behind a pod volume, if it is backed by one. */
export function claimNameOf(pod: Pod, volume: Volume): string | undefined {
  if (volume.persistentVolumeClaim) return volume.persistentVolumeClaim.claimName || undefined;
  if (volume.ephemeral) return ephemeralClaimName(pod, volume);
  return undefined;
}

/** Every claim the pod's volumes use. */
export function podClaimNames(pod: Pod): string[] {
  const names: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const name = v && typeof v === 'object' ? claimNameOf(pod, v) : undefined;
    if (name) names.push(name);
  }
  return names;
}

/** Why an ephemeral volume's claim may not serve the pod (it exists, but another made it); undefined when it may. */
export function ephemeralClaimRefusal(pod: Pod, claim: KubeObject): string | undefined {
  const owned = (claim.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === pod.metadata.uid);
  return owned ? undefined : `PVC ${claim.metadata.namespace}/${claim.metadata.name} was not created for pod ${pod.metadata.namespace}/${pod.metadata.name} (pod is not owner)`;
}
