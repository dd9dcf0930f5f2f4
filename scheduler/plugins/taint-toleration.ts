// NoSchedule and NoExecute taints keep out pods that do not tolerate them; PreferNoSchedule
// taints only lower a node's score.
import { normalizeToMax, ok, SKIP, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { toleratesAll } from '../../api/tolerations.js';

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  passesOpenNodes: true,
  filter(state, n) {
    if (n.blockingTaints.length === 0) return ok;
    const blocking = n.blockingTaints.find((t) => !toleratesAll(state.pod.spec?.tolerations, t));
    if (!blocking) return ok;
    return unresolvable(`node(s) had untolerated taint {${blocking.key}: ${blocking.value ?? ''}}`);
  },
};

export const preferNoScheduleTaints: ScorePlugin = {
  name: 'TaintTolerationPreferred',
  weight: 3,
  preScore(_state, feasible) {
    // No PreferNoSchedule taint on any candidate: every node would score the same.
    if (!feasible.some((n) => n.preferNoScheduleTaints.length > 0)) return SKIP;
  },
  score(state, n) {
    if (n.preferNoScheduleTaints.length === 0) return 0;
    return n.preferNoScheduleTaints.filter((t) => !toleratesAll(state.pod.spec?.tolerations, t)).length;
  },
  // Fewer intolerable PreferNoSchedule taints is better.
  normalize: (scores) => normalizeToMax(scores, true),
};
