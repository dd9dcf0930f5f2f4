// The zones and regions of the volumes a pod's claims are bound to, as kube-scheduler's
// VolumeZone plugin reads them: a volume labelled with a zone (or region; several values
// joined by "__") fits only nodes in one of them. A node with no zone or region label at all
// takes any volume; a claim not bound yet is VolumeBinding's to judge.
import { podClaimNames } from '../../api/pod-claims.js';
import { ok, SKIP, unresolvable, type FilterPlugin } from '../framework.js';
import type { VolumeLookup } from './volume-binding.js';

const NAME = 'VolumeZone';
const CONFLICT = 'node(s) had no available volume zone';
const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'topology.kubernetes.io/region';
const BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
const BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
const TOPOLOGY_LABELS = [BETA_ZONE, BETA_REGION, ZONE, REGION];
/** A volume's beta label is matched by a node's GA label too. */
const GA: Record<string, string> = { [BETA_ZONE]: ZONE, [BETA_REGION]: REGION };

type Topology = { key: string; values: Set<string> }[];

export function volumeZone(lookup: VolumeLookup): FilterPlugin {
  return {
    name: NAME,
    preFilter(state) {
      const pod = state.pod;
      const topology: Topology = [];
      for (const name of podClaimNames(pod)) {
        const volumeName = lookup.claim(pod.metadata.namespace!, name)?.spec.volumeName;
        const labels = volumeName ? lookup.volume(volumeName)?.metadata.labels : undefined;
        for (const key of TOPOLOGY_LABELS) {
          const value = labels?.[key];
          if (value !== undefined) topology.push({ key, values: new Set(value.split('__')) });
        }
      }
      if (!topology.length) return SKIP;
      state.data.set(NAME, topology);
    },
    filter(state, n) {
      const labels = n.node.metadata.labels ?? {};
      if (!TOPOLOGY_LABELS.some((k) => Object.hasOwn(labels, k))) return ok;
      for (const { key, values } of state.data.get(NAME) as Topology) {
        const value = Object.hasOwn(labels, key) ? labels[key] : GA[key] !== undefined && Object.hasOwn(labels, GA[key]!) ? labels[GA[key]!] : undefined;
        if (value === undefined || !values.has(value)) return unresolvable(CONFLICT);
      }
      return ok;
    },
  };
}
