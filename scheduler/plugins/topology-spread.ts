// Hard topology spread constraints (kube-scheduler's PodTopologySpread filter, for
// whenUnsatisfiable: DoNotSchedule): a pod may go into a domain only if the pods its
// constraint selects there, with it, stay within maxSkew of the emptiest eligible domain.
// Eligible domains are those of nodes holding every constraint's topology key that the
// constraint's node inclusion policies admit; the counts are made once per pod (preFilter).
import { fromLabelSelector, matches, type Selector } from '../../api/labels.js';
import { nodeMatchesPod } from '../../api/node-affinity.js';
import { toleratesAll } from '../../api/tolerations.js';
import type { Pod, TopologySpreadConstraint } from '../../api/types/pod.js';
import { ok, SKIP, unresolvable, unschedulable, type CycleState, type FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

const NAME = 'PodTopologySpread';
const NOT_MATCHED = "node(s) didn't match pod topology spread constraints";

interface Constraint {
  spec: TopologySpreadConstraint;
  selector: Selector;
  /** Pods the selector matches, by domain (topology value), over eligible domains only. */
  counts: Map<string, number>;
  /** The emptiest domain's count, kept until a count changes. */
  min?: number;
}

interface SpreadState {
  constraints: Constraint[];
  /** Whether the pod's own labels match each constraint's selector (it will count there too). */
  selfMatch: boolean[];
}

/** The constraint's selector, with the pod's values of its matchLabelKeys added (as kube-scheduler does). */
function selectorOf(c: TopologySpreadConstraint, pod: Pod): Selector {
  const selector = fromLabelSelector(c.labelSelector);
  if (selector === null) return null;
  const labels = pod.metadata.labels ?? {};
  const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((key) => ({ key, operator: '=' as const, values: [labels[key]!] }));
  return extra.length ? [...selector, ...extra] : selector;
}

/** Whether node `n` holds every constraint's topology key: only such nodes' domains count. */
function hasEveryKey(constraints: Constraint[], n: NodeInfo): boolean {
  const labels = n.node.metadata.labels ?? {};
  return constraints.every((k) => Object.hasOwn(labels, k.spec.topologyKey));
}

/** Whether `n`, holding every key, counts for constraint `c` of `pod`: its inclusion policies admit it. */
function admitted(pod: Pod, c: Constraint, n: NodeInfo): boolean {
  if ((c.spec.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !nodeMatchesPod(pod.spec, n.node)) return false;
  if (c.spec.nodeTaintsPolicy === 'Honor' && n.blockingTaints.some((t) => !toleratesAll(pod.spec.tolerations, t))) return false;
  return true;
}

/** Whether `p` counts towards `c` for `pod`: same namespace, not terminating, selected. */
function counts(c: Constraint, pod: Pod, p: Pod): boolean {
  return p.metadata.namespace === pod.metadata.namespace && !p.metadata.deletionTimestamp && matches(c.selector, p.metadata.labels);
}

function minOf(c: Constraint): number {
  if (c.min === undefined) {
    let min = Number.MAX_SAFE_INTEGER; // no eligible domain: nothing to be skewed against
    for (const n of c.counts.values()) if (n < min) min = n;
    c.min = min;
  }
  // Fewer eligible domains than minDomains: the global minimum is taken as 0.
  return c.counts.size < (c.spec.minDomains ?? 1) ? 0 : c.min;
}

/** Brings the counts up to date as if `p` joined (1) or left (-1) node `n` (preemption's what-ifs). */
function adjust(state: CycleState, p: Pod, n: NodeInfo, delta: number): void {
  const s = state.data.get(NAME) as SpreadState | undefined;
  if (!s) return;
  if (!hasEveryKey(s.constraints, n)) return;
  for (const c of s.constraints) {
    if (!admitted(state.pod, c, n) || !counts(c, state.pod, p)) continue;
    const value = n.node.metadata.labels![c.spec.topologyKey]!;
    c.counts.set(value, (c.counts.get(value) ?? 0) + delta);
    c.min = undefined;
  }
}

export const podTopologySpread: FilterPlugin = {
  name: NAME,
  preFilter(state) {
    const pod = state.pod;
    const hard = (pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (!hard.length) return SKIP;
    const constraints: Constraint[] = hard.map((spec) => ({ spec, selector: selectorOf(spec, pod), counts: new Map() }));
    for (const n of state.allNodes) {
      if (!hasEveryKey(constraints, n)) continue;
      for (const c of constraints) {
        if (!admitted(pod, c, n)) continue;
        const value = n.node.metadata.labels![c.spec.topologyKey]!;
        let here = 0;
        for (const p of n.pods) if (p.metadata.uid !== pod.metadata.uid && counts(c, pod, p)) here++;
        c.counts.set(value, (c.counts.get(value) ?? 0) + here);
      }
    }
    state.data.set(NAME, { constraints, selfMatch: constraints.map((c) => matches(c.selector, pod.metadata.labels)) } satisfies SpreadState);
  },
  filter(state, n) {
    const s = state.data.get(NAME) as SpreadState | undefined;
    if (!s) return ok;
    const labels = n.node.metadata.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = labels[c.spec.topologyKey];
      if (value === undefined) return unresolvable(`${NOT_MATCHED} (missing required label)`);
      const skew = (c.counts.get(value) ?? 0) + (s.selfMatch[i] ? 1 : 0) - minOf(c);
      if (skew > c.spec.maxSkew) return unschedulable(NOT_MATCHED);
    }
    return ok;
  },
  removePod: (state, p, n) => adjust(state, p, n, -1),
  addPod: (state, p, n) => adjust(state, p, n, 1),
};
