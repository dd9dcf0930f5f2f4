// Spreads the pods of one owner (a ReplicaSet, a StatefulSet, ...) across nodes: the fewer
// of its siblings a node already runs, the better. It stands in for Kubernetes' system
// default spread constraints, for pods that have none of their own.
import { controllerRef } from '../../api/owners.js';
import { normalizeToMax, SKIP, type ScorePlugin } from '../framework.js';

const NAME = 'SelectorSpread';

export const ownerSpread: ScorePlugin = {
  name: NAME,
  weight: 2,
  preScore(state) {
    // A pod with spread constraints of its own is spread by them (PodTopologySpread), as
    // Kubernetes' system default constraints apply only to pods without any.
    if (state.pod.spec.topologySpreadConstraints?.length) return SKIP;
    const owner = controllerRef(state.pod)?.uid;
    if (!owner) return SKIP;
    state.data.set(NAME, owner);
  },
  score(state, n) {
    const owner = (state.data.get(NAME) as string | undefined) ?? controllerRef(state.pod)?.uid;
    if (!owner) return 0;
    let siblings = 0;
    for (const p of n.pods) if (controllerRef(p)?.uid === owner) siblings++;
    return siblings;
  },
  normalize: (scores) => normalizeToMax(scores, true),
};
