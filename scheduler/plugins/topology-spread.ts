// Topology spread constraints, as kube-scheduler's PodTopologySpread plugin: a hard one
// (whenUnsatisfiable: DoNotSchedule) lets a pod into a domain only if the pods it selects
// there, with it, stay within maxSkew of the emptiest eligible domain (a filter); soft ones
// (ScheduleAnyway) prefer the domains holding fewest of them (a score). Eligible domains are
// those of nodes holding every constraint's topology key that the constraint's node
// inclusion policies admit; the counts are made once per pod. A pod without constraints of its
// own is spread by the profile's default constraints (Kubernetes' system defaults unless the
// configuration lists its own), over the pods its Services and controller select.
import { matches, selectorOrNothing, type Selector } from '../../api/labels.js';
import { nodeMatchesPod } from '../../api/node-affinity.js';
import { toleratesAll } from '../../api/tolerations.js';
import type { Pod, TopologySpreadConstraint } from '../../api/types/pod.js';
import { ok, SKIP, unresolvable, unschedulable, type CycleState, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

const NAME = 'PodTopologySpread';
const SCORE_STATE = `PreScore${NAME}`;
const HOSTNAME = 'kubernetes.io/hostname';
const NOT_MATCHED = "node(s) didn't match pod topology spread constraints";

/** Kubernetes' system default constraints: by node (maxSkew 3) and by zone (maxSkew 5), both soft. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** How a profile spreads pods that have no constraints of their own (PodTopologySpreadArgs). */
export interface SpreadDefaults {
  /** The default constraints (their labelSelector is the pod's default selector). */
  constraints: readonly TopologySpreadConstraint[];
  /** They are Kubernetes' system defaults: nodes lacking a topology key are still scored. */
  system: boolean;
  /** The pods a pod is spread from (its Services' and controller's selectors); null: none, no default spreading. */
  selector: (pod: Pod) => Selector;
}

/** The pod's constraints of one kind, each with its selector: its own, else the defaults (when something selects it). */
function constraintsOf(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway', defaults: SpreadDefaults | undefined): { spec: TopologySpreadConstraint; selector: Selector }[] {
  const own = pod.spec.topologySpreadConstraints ?? [];
  if (own.length) return own.filter((c) => c.whenUnsatisfiable === when).map((spec) => ({ spec, selector: selectorOf(spec, pod) }));
  const wanted = (defaults?.constraints ?? []).filter((c) => c.whenUnsatisfiable === when);
  if (!wanted.length) return [];
  const selector = defaults!.selector(pod);
  return selector ? wanted.map((spec) => ({ spec, selector })) : [];
}

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
  const selector = selectorOrNothing(c.labelSelector);
  if (selector === null) return null;
  const labels = pod.metadata.labels ?? {};
  const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((key) => ({ key, operator: '=' as const, values: [labels[key]!] }));
  return extra.length ? [...selector, ...extra] : selector;
}

/** Whether node `n` holds every constraint's topology key: only such nodes' domains count. */
function hasEveryKey(constraints: readonly { spec: TopologySpreadConstraint }[], n: NodeInfo): boolean {
  const labels = n.node.metadata.labels ?? {};
  return constraints.every((k) => Object.hasOwn(labels, k.spec.topologyKey));
}

/** Whether `n`, holding every key, counts for constraint `c` of `pod`: its inclusion policies admit it. */
function admitted(pod: Pod, c: { spec: TopologySpreadConstraint }, n: NodeInfo): boolean {
  if ((c.spec.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !nodeMatchesPod(pod.spec, n.node)) return false;
  if (c.spec.nodeTaintsPolicy === 'Honor' && n.blockingTaints.some((t) => !toleratesAll(pod.spec.tolerations, t))) return false;
  return true;
}

/** Whether `p` counts towards `c` for `pod`: same namespace, not terminating, selected. */
function countsToward(c: { selector: Selector }, pod: Pod, p: Pod): boolean {
  return p.metadata.namespace === pod.metadata.namespace && !p.metadata.deletionTimestamp && matches(c.selector, p.metadata.labels);
}

/** How many of the pods on `n` (other than `pod` itself) count towards `c` for `pod`. */
function selectedOn(c: { selector: Selector }, pod: Pod, n: NodeInfo): number {
  let selected = 0;
  for (const p of n.pods) if (p.metadata.uid !== pod.metadata.uid && countsToward(c, pod, p)) selected++;
  return selected;
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
    if (!admitted(state.pod, c, n) || !countsToward(c, state.pod, p)) continue;
    const value = n.node.metadata.labels![c.spec.topologyKey]!;
    c.counts.set(value, (c.counts.get(value) ?? 0) + delta);
    c.min = undefined;
  }
}

export function podTopologySpreadFilter(defaults?: SpreadDefaults): FilterPlugin {
  return {
  name: NAME,
  preFilter(state) {
    const pod = state.pod;
    const hard = constraintsOf(pod, 'DoNotSchedule', defaults);
    if (!hard.length) return SKIP;
    const constraints: Constraint[] = hard.map((c) => ({ ...c, counts: new Map() }));
    for (const n of state.allNodes) {
      if (!hasEveryKey(constraints, n)) continue;
      for (const c of constraints) {
        if (!admitted(pod, c, n)) continue;
        const value = n.node.metadata.labels![c.spec.topologyKey]!;
        c.counts.set(value, (c.counts.get(value) ?? 0) + selectedOn(c, pod, n));
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
}

export const podTopologySpread: FilterPlugin = podTopologySpreadFilter();

interface SoftConstraint {
  spec: TopologySpreadConstraint;
  selector: Selector;
  /** Pods selected in each domain of the feasible nodes (hostname domains are counted per node). */
  counts: Map<string, number>;
  /** log(domains + 2): a constraint over few domains weighs less than one over many. */
  weight: number;
}

interface SoftState {
  constraints: SoftConstraint[];
  /** Feasible nodes missing a constraint's key: not scored. */
  ignored: Set<NodeInfo>;
}

const IGNORED = -1;

/**
 * Soft constraints (ScheduleAnyway): the fewer selected pods a node's domains hold, the higher
 * it scores. With the system defaults, a node lacking a topology key is scored all the same
 * (its missing label is a domain of its own, ""), as Kubernetes does.
 */
export function podTopologySpreadScoring(defaults?: SpreadDefaults): ScorePlugin {
  return {
  name: NAME,
  weight: 2,
  preScore(state, feasible) {
    const pod = state.pod;
    const soft = constraintsOf(pod, 'ScheduleAnyway', defaults);
    if (!soft.length) return SKIP;
    const requireAll = !!pod.spec.topologySpreadConstraints?.length || !defaults?.system;
    const constraints: SoftConstraint[] = soft.map((c) => ({ ...c, counts: new Map(), weight: 0 }));
    const ignored = new Set<NodeInfo>();
    // Kubernetes counts the nodes lacking a key as one more domain (""), for the weight only: no
    // node without the label is scored on it, so its pods need not be counted.
    const domains = constraints.map(() => new Set<string>());
    for (const n of feasible) {
      if (requireAll && !hasEveryKey(constraints, n)) {
        ignored.add(n);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.spec.topologyKey === HOSTNAME) return;
        const value = n.node.metadata.labels?.[c.spec.topologyKey];
        domains[i]!.add(value ?? '');
        if (value !== undefined) c.counts.set(value, 0);
      });
    }
    constraints.forEach((c, i) => (c.weight = Math.log((c.spec.topologyKey === HOSTNAME ? feasible.length - ignored.size : domains[i]!.size) + 2)));
    // Pods anywhere in the cluster count toward the domains the feasible nodes are in.
    for (const n of state.allNodes) {
      if (requireAll && !hasEveryKey(constraints, n)) continue;
      for (const c of constraints) {
        if (c.spec.topologyKey === HOSTNAME || !admitted(pod, c, n)) continue;
        const value = n.node.metadata.labels?.[c.spec.topologyKey];
        if (value === undefined) continue;
        const before = c.counts.get(value);
        if (before !== undefined) c.counts.set(value, before + selectedOn(c, pod, n));
      }
    }
    state.data.set(SCORE_STATE, { constraints, ignored } satisfies SoftState);
  },
  score(state, n) {
    const s = state.data.get(SCORE_STATE) as SoftState | undefined;
    if (!s || s.ignored.has(n)) return IGNORED;
    const labels = n.node.metadata.labels ?? {};
    let score = 0;
    for (const c of s.constraints) {
      const value = labels[c.spec.topologyKey];
      if (value === undefined) continue;
      const count = c.spec.topologyKey === HOSTNAME ? selectedOn(c, state.pod, n) : (c.counts.get(value) ?? 0);
      // maxSkew - 1 added to every domain waters their differences down as the skew allowed grows.
      score += count * c.weight + (c.spec.maxSkew - 1);
    }
    return Math.round(score);
  },
  /** Fewest pods best: 100 x (max + min - score) / max over the scored nodes; ignored ones 0. */
  normalize(scores) {
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s === IGNORED) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    return scores.map((s) => (s === IGNORED ? 0 : max === 0 ? 100 : Math.trunc((100 * (max + min - s)) / max)));
  },
  };
}

export const podTopologySpreadScore: ScorePlugin = podTopologySpreadScoring();
