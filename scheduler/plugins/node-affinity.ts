// nodeSelector and required node affinity as a filter; preferred node affinity as a score. A
// scheduler profile may add node affinity of its own to every pod it schedules (NodeAffinityArgs'
// addedAffinity): required terms the node must also match, preferred terms that also count.
import { normalizeToMax, ok, SKIP, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { nodeMatchesPod, termMatches } from '../../api/node-affinity.js';
import type { Affinity } from '../../api/types/pod.js';

export type NodeAffinity = NonNullable<Affinity['nodeAffinity']>;

export function nodeAffinityFilter(added?: NodeAffinity): FilterPlugin {
  const enforced = added?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    name: 'NodeAffinity',
    preFilter(state) {
      const spec = state.pod.spec;
      const selector = spec.nodeSelector ?? {};
      if (!enforced && Object.keys(selector).length === 0 && !spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return SKIP;
    },
    filter(state, n) {
      if (enforced && !(enforced.nodeSelectorTerms ?? []).some((t) => termMatches(t, n.node))) return unresolvable("node(s) didn't match scheduler-enforced node affinity");
      return nodeMatchesPod(state.pod.spec, n.node) ? ok : unresolvable("node(s) didn't match Pod's node affinity/selector");
    },
  };
}

export function preferredNodeAffinityScore(added?: NodeAffinity): ScorePlugin {
  const extra = added?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return {
    name: 'NodeAffinityPreferred',
    weight: 2,
    preScore(state) {
      if (!extra.length && !state.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) return SKIP;
    },
    score(state, n) {
      const preferred = [...extra, ...(state.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])];
      return preferred.reduce((sum, p) => sum + (termMatches(p.preference ?? {}, n.node) ? Number(p.weight ?? 0) : 0), 0);
    },
    normalize: (scores) => normalizeToMax(scores),
  };
}

export const nodeAffinity: FilterPlugin = nodeAffinityFilter();
export const preferredNodeAffinity: ScorePlugin = preferredNodeAffinityScore();
