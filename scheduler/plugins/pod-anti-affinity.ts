// Required inter-pod anti-affinity, both ways: the pod may not join a topology domain holding
// pods its terms select, nor one whose pods' terms select it. The forbidden domains are found
// once per pod (preFilter), so filtering a node is a few label lookups, however many pods run.
import { fromLabelSelector, matches } from '../../api/labels.js';
import type { Pod, PodAffinityTerm } from '../../api/types/pod.js';
import { ok, SKIP, unschedulable, type FilterPlugin } from '../framework.js';

function requiredTerms(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

function termSelects(term: PodAffinityTerm, owner: Pod, candidate: Pod): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace!];
  if (!term.namespaceSelector && !namespaces.includes(candidate.metadata.namespace!)) return false;
  return matches(fromLabelSelector(term.labelSelector), candidate.metadata.labels);
}

/** Per pod: the topology values this pod may not join, found once rather than per node. */
interface Forbidden {
  /** For each of the pod's own terms: its topology key and the values of domains holding pods it selects. */
  own: Array<{ key: string; values: Set<string> }>;
  /** Domains (topology key -> values) holding existing pods whose terms select this pod. */
  existing: Map<string, Set<string>>;
}

const NAME = 'InterPodAffinity';

export const podAntiAffinity: FilterPlugin = {
  name: NAME,
  preFilter(state) {
    const pod = state.pod;
    const terms = requiredTerms(pod);
    const forbidden: Forbidden = { own: terms.map((t) => ({ key: t.topologyKey, values: new Set<string>() })), existing: new Map() };
    // The pod's own terms look at every pod on every node.
    if (terms.length) {
      for (const n of state.allNodes) {
        const labels = n.node.metadata.labels ?? {};
        for (const existing of n.pods) {
          if (existing.metadata.uid === pod.metadata.uid) continue;
          terms.forEach((term, i) => {
            const value = labels[term.topologyKey];
            if (value !== undefined && termSelects(term, pod, existing)) forbidden.own[i]!.values.add(value);
          });
        }
      }
    }
    // Existing pods' terms: only the (few) nodes holding pods that have any.
    for (const n of state.antiAffinityNodes ?? state.allNodes) {
      const labels = n.node.metadata.labels ?? {};
      for (const existing of n.antiAffinityPods) {
        if (existing.metadata.uid === pod.metadata.uid) continue;
        for (const term of requiredTerms(existing)) {
          const value = labels[term.topologyKey];
          if (value === undefined || !termSelects(term, existing, pod)) continue;
          (forbidden.existing.get(term.topologyKey) ?? forbidden.existing.set(term.topologyKey, new Set()).get(term.topologyKey)!).add(value);
        }
      }
    }
    // Nothing forbidden: the filter has nothing to check on any node.
    if (!terms.length && !forbidden.existing.size) return SKIP;
    state.data.set(NAME, forbidden);
  },
  filter(state, n) {
    const forbidden = state.data.get(NAME) as Forbidden | undefined;
    if (!forbidden) return ok;
    const labels = n.node.metadata.labels ?? {};
    for (const { key, values } of forbidden.own) {
      const v = labels[key];
      if (v !== undefined && values.has(v)) return unschedulable("node(s) didn't match pod anti-affinity rules");
    }
    for (const [key, values] of forbidden.existing) {
      const v = labels[key];
      if (v !== undefined && values.has(v)) return unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
    }
    return ok;
  },
};
