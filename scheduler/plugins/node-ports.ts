// A pod asking for a host port cannot go where that port is already taken.
import { ok, SKIP, unschedulable, type FilterPlugin } from '../framework.js';
import { portsConflict } from '../node-info.js';

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  preFilter(state) {
    if (state.hostPorts.length === 0) return SKIP;
  },
  filter(state, n) {
    return state.hostPorts.some((p) => portsConflict(n.usedPorts, p)) ? unschedulable("node(s) didn't have free ports for the requested pod ports") : ok;
  },
};
