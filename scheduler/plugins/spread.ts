// Spreads the pods of one owner (a ReplicaSet, a StatefulSet, ...) across nodes: the fewer
// of its siblings a node already runs, the better.
import { controllerRef } from '../../api/owners.js';
import { normalizeToMax, type ScorePlugin } from '../framework.js';

export const ownerSpread: ScorePlugin = {
  name: 'SelectorSpread',
  weight: 2,
  score(state, n) {
    const owner = controllerRef(state.pod)?.uid;
    if (!owner) return 0;
    return n.pods.filter((p) => controllerRef(p)?.uid === owner).length;
  },
  normalize: (scores) => normalizeToMax(scores, true),
};
