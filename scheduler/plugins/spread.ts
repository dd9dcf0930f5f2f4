// Spreads the pods of one owner (a ReplicaSet, a StatefulSet, ...) across nodes: the fewer
// of its siblings a node already runs, the better.
import { normalizeToMax, type ScorePlugin } from '../framework.js';

export const ownerSpread: ScorePlugin = {
  name: 'SelectorSpread',
  weight: 2,
  score(state, n) {
    const owner = state.pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    if (!owner) return 0;
    return n.pods.filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner)).length;
  },
  normalize: (scores) => normalizeToMax(scores, true),
};
