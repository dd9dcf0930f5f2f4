// Only nodes whose Ready condition is True take new pods.
import { ok, unresolvable, type FilterPlugin } from '../framework.js';

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  passesOpenNodes: true,
  filter(_state, n) {
    return n.ready ? ok : unresolvable('node(s) were not ready');
  },
};
