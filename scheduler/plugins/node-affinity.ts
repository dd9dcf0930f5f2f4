// nodeSelector and required node affinity as a filter; preferred node affinity as a score.
import { normalizeToMax, ok, SKIP, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { nodeMatchesPod, termMatches } from '../../api/node-affinity.js';

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  preFilter(state) {
    const spec = state.pod.spec;
    const selector = spec.nodeSelector ?? {};
    if (Object.keys(selector).length === 0 && !spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return SKIP;
  },
  filter(state, n) {
    return nodeMatchesPod(state.pod.spec, n.node) ? ok : unresolvable("node(s) didn't match Pod's node affinity/selector");
  },
};

export const preferredNodeAffinity: ScorePlugin = {
  name: 'NodeAffinityPreferred',
  weight: 2,
  preScore(state) {
    if (!state.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) return SKIP;
  },
  score(state, n) {
    const preferred = state.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return preferred.reduce((sum, p) => sum + (termMatches(p.preference ?? {}, n.node) ? Number(p.weight ?? 0) : 0), 0);
  },
  normalize: (scores) => normalizeToMax(scores),
};
