// Required inter-pod anti-affinity, both ways: the pod may not join a topology domain holding
// pods its terms select, nor one whose pods' terms select it.
import { fromLabelSelector, matches } from '../../api/labels.js';
import type { Pod, PodAffinityTerm } from '../../api/types/pod.js';
import { ok, unschedulable, type FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

function requiredTerms(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

function termSelects(term: PodAffinityTerm, owner: Pod, candidate: Pod): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace!];
  if (!term.namespaceSelector && !namespaces.includes(candidate.metadata.namespace!)) return false;
  return matches(fromLabelSelector(term.labelSelector), candidate.metadata.labels);
}

function sameDomain(a: NodeInfo, b: NodeInfo, topologyKey: string): boolean {
  const va = a.node.metadata.labels?.[topologyKey];
  return va !== undefined && va === b.node.metadata.labels?.[topologyKey];
}

export const podAntiAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  filter(state, n) {
    const pod = state.pod;
    for (const other of state.allNodes) {
      for (const existing of other.pods) {
        if (existing.metadata.uid === pod.metadata.uid) continue;
        for (const term of requiredTerms(pod)) {
          if (sameDomain(n, other, term.topologyKey) && termSelects(term, pod, existing)) return unschedulable("node(s) didn't match pod anti-affinity rules");
        }
        for (const term of requiredTerms(existing)) {
          if (sameDomain(n, other, term.topologyKey) && termSelects(term, existing, pod)) return unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
        }
      }
    }
    return ok;
  },
};
