// Spreads the pods of one owner (a ReplicaSet, a StatefulSet, ...) across nodes: the fewer
// of its siblings a node already runs, the better.
import { controllerRef } from '../../api/owners.js';
import { normalizeToMax, SKIP, type ScorePlugin } from '../framework.js';

const NAME = 'SelectorSpread';

export const ownerSpread: ScorePlugin = {
  name: NAME,
  weight: 2,
  preScore(state) {
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
