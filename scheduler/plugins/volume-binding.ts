// Pods with PersistentVolumeClaims: each claim must exist; a bound claim's volume must allow
// the node (its node affinity); an unbound claim is fine only when its class waits for the
// first consumer (the volume is then made on the node chosen here), else the pod waits. A
// generic ephemeral volume's claim waits to be made for the pod, and must be the pod's own.
import { termMatches } from '../../api/node-affinity.js';
import { ephemeralClaimNames, ephemeralClaimRefusal, podClaimNames } from '../../api/pod-claims.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/types/storage.js';
import type { Pod } from '../../api/types/pod.js';
import { ok, SKIP, unresolvable, unschedulable, type FilterPlugin } from '../framework.js';

export interface VolumeLookup {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
}

/** A lookup that knows of no claim, volume or class (checking a configuration; tests). */
export const NO_VOLUMES: VolumeLookup = { claim: () => undefined, volume: () => undefined, storageClass: () => undefined };

/** Claims of the pod that are not bound yet and wait for their first consumer. */
export function claimsToProvision(pod: Pod, lookup: VolumeLookup): PersistentVolumeClaim[] {
  return podClaimNames(pod)
    .map((n) => lookup.claim(pod.metadata.namespace!, n))
    .filter((c): c is PersistentVolumeClaim => !!c && !c.spec.volumeName && lookup.storageClass(c.spec.storageClassName ?? '')?.volumeBindingMode === 'WaitForFirstConsumer');
}

const NAME = 'VolumeBinding';

export function volumeBinding(lookup: VolumeLookup): FilterPlugin {
  return {
    name: NAME,
    preFilter(state) {
      const pod = state.pod;
      const names = podClaimNames(pod);
      if (names.length === 0) return SKIP;
      // What no node can change refuses the pod here, once, as Kubernetes' PreFilter does.
      const ephemeral = new Set(ephemeralClaimNames(pod));
      let unboundImmediate = false;
      for (const name of names) {
        const pvc = lookup.claim(pod.metadata.namespace!, name);
        if (!pvc) {
          // Normal just after the pod is made: the controller-manager makes the claim (whose arrival requeues the pod).
          return unresolvable(ephemeral.has(name) ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`);
        }
        const refusal = ephemeral.has(name) ? ephemeralClaimRefusal(pod, pvc) : undefined;
        if (refusal) return unresolvable(refusal);
        if (pvc.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        if (!pvc.spec.volumeName && lookup.storageClass(pvc.spec.storageClassName ?? '')?.volumeBindingMode !== 'WaitForFirstConsumer') unboundImmediate = true;
      }
      if (unboundImmediate) return unresolvable('pod has unbound immediate PersistentVolumeClaims');
      state.data.set(NAME, names);
    },
    filter(state, n) {
      for (const name of state.data.get(NAME) as string[]) {
        const pvc = lookup.claim(state.pod.metadata.namespace!, name);
        // Checked by preFilter; gone since, it is the next cycle's to say.
        if (!pvc?.spec.volumeName) continue;
        const pv = lookup.volume(pvc.spec.volumeName);
        if (!pv) return unresolvable(`pvc(s) bound to non-existent pv(s)`);
        const terms = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
        if (terms?.length && !terms.some((t) => termMatches(t, n.node))) return unschedulable('node(s) had volume node affinity conflict');
      }
      return ok;
    },
  };
}
