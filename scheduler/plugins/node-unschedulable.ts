// A cordoned node (spec.unschedulable) takes only pods that tolerate the unschedulable taint.
import { ok, unresolvable, type FilterPlugin } from '../framework.js';
import { toleratesAll } from '../../api/tolerations.js';

const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  passesOpenNodes: true,
  filter(state, n) {
    if (!n.unschedulable) return ok;
    return toleratesAll(state.pod.spec?.tolerations, TAINT) ? ok : unresolvable('node(s) were unschedulable');
  },
};
