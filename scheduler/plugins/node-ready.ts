// Only nodes whose Ready condition is True take new pods.
import { ok, unresolvable, type FilterPlugin } from '../framework.js';
import { isNodeReady } from '../../api/conditions.js';

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(_state, n) {
    return isNodeReady(n.node) ? ok : unresolvable('node(s) were not ready');
  },
};
