// ReadWriteOncePod claims, as kube-scheduler's VolumeRestrictions plugin keeps them: a claim with
// that access mode is used by one pod in the whole cluster, so a pod asking for one that a pod
// already placed uses fits on no node until that pod goes (preemption may make it go).
import { podClaimNames } from '../../api/pod-claims.js';
import type { Pod } from '../../api/types/pod.js';
import { ok, SKIP, unschedulable, type CycleState, type FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { VolumeLookup } from './volume-binding.js';

const NAME = 'VolumeRestrictions';
export const READ_WRITE_ONCE_POD_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

interface RestrictionsState {
  /** The pod's ReadWriteOncePod claims, as "namespace/name". */
  claims: Set<string>;
  /** Placed pods (other than this one) using one of them. */
  conflicts: number;
}

/** How many of `p`'s claims are among the pod's ReadWriteOncePod claims. */
function using(p: Pod, claims: ReadonlySet<string>, self: Pod): number {
  if (p.metadata.uid === self.metadata.uid) return 0;
  let n = 0;
  for (const name of podClaimNames(p)) if (claims.has(`${p.metadata.namespace}/${name}`)) n++;
  return n;
}

function adjust(state: CycleState, p: Pod, delta: number): void {
  const s = state.data.get(NAME) as RestrictionsState | undefined;
  if (s) s.conflicts += delta * using(p, s.claims, state.pod);
}

export function volumeRestrictions(lookup: VolumeLookup): FilterPlugin {
  return {
    name: NAME,
    preFilter(state) {
      const pod = state.pod;
      const claims = new Set<string>();
      for (const name of podClaimNames(pod)) {
        if (lookup.claim(pod.metadata.namespace!, name)?.spec.accessModes?.includes('ReadWriteOncePod')) claims.add(`${pod.metadata.namespace}/${name}`);
      }
      if (!claims.size) return SKIP;
      let conflicts = 0;
      // Only pods with claims can hold one: the cache keeps no index of them, so every pod is asked.
      for (const n of state.allNodes) for (const p of n.pods) conflicts += using(p, claims, pod);
      state.data.set(NAME, { claims, conflicts } satisfies RestrictionsState);
    },
    filter(state, _n: NodeInfo) {
      const s = state.data.get(NAME) as RestrictionsState | undefined;
      return s && s.conflicts > 0 ? unschedulable(READ_WRITE_ONCE_POD_CONFLICT) : ok;
    },
    removePod: (state, p) => adjust(state, p, -1),
    addPod: (state, p) => adjust(state, p, 1),
  };
}
