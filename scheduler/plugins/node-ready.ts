// Only nodes whose Ready condition is True take new pods.
import { ok, unresolvable, type FilterPlugin } from '../framework.js';

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(_state, n) {
    const ready = ((n.node.status?.conditions ?? []) as Array<Record<string, string>>).find((c) => c.type === 'Ready');
    return ready?.status === 'True' ? ok : unresolvable('node(s) were not ready');
  },
};
