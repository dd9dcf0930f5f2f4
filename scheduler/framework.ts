// The scheduling framework: plugins implement the extension points they need. A filter says
// whether a pod may go on a node (and why not); a score ranks the feasible nodes 0..100.
import type { Pod } from '../api/types/pod.js';
import { addPod, hostPorts, newNodeInfo, podPriority, podRequests, type NodeInfo, type Resources } from './node-info.js';

export type FilterCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterResult {
  code: FilterCode;
  /** Reasons in Kubernetes' wording, e.g. "Insufficient cpu". */
  reasons: string[];
}

export const ok: FilterResult = { code: 'Success', reasons: [] };
export const unschedulable = (...reasons: string[]): FilterResult => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): FilterResult => ({ code: 'UnschedulableAndUnresolvable', reasons });

/** Everything a plugin may look at besides the node in question, computed once per pod. */
export interface CycleState {
  pod: Pod;
  allNodes: NodeInfo[];
  /** The pod's requests and host ports, parsed once rather than once per node. */
  requests: Resources;
  hostPorts: string[];
  /** What plugins' preFilter computed for this pod, by plugin name. */
  data: Map<string, unknown>;
  /** Of allNodes, those holding pods with inter-pod (anti-)affinity terms, when the caller keeps track (else every node may). */
  affinityNodes?: NodeInfo[];
}

/** What the caller's cache knows beyond the nodes themselves. */
export interface ScheduleContext {
  affinityNodes?: NodeInfo[];
  /**
   * Pods nominated to a node by preemption, waiting for their victims to go, by node name. A
   * pod of lower or equal priority must leave them room (kube-scheduler filters with them).
   */
  nominated?: ReadonlyMap<string, readonly Pod[]>;
  /** The node the pod was nominated to (status.nominatedNodeName): tried first, and taken if it fits. */
  nominatedNode?: NodeInfo;
  /** The profile's percentageOfNodesToScore (0 or unset: adaptive). */
  percentageOfNodesToScore?: number;
}

/** What a preFilter or preScore returns when its plugin has nothing to do for this pod. */
export const SKIP = 'Skip';

export interface FilterPlugin {
  name: string;
  /**
   * Once per pod, before any node is filtered: work that does not depend on the node.
   * Returning SKIP leaves the plugin's filter out of this pod's cycle, as Kubernetes' Skip
   * status does (most pods ask nothing of most filters); returning a refusal refuses the pod
   * on every node at once (what no node could change, e.g. a claim that does not exist yet).
   */
  preFilter?(state: CycleState): void | typeof SKIP | FilterResult;
  filter(state: CycleState, node: NodeInfo): FilterResult;
  /**
   * Kubernetes' PreFilterExtensions: bring what preFilter computed up to date as if pod `p`
   * left (`removePod`) or joined (`addPod`) node `n`. Preemption asks what-ifs with them; a
   * plugin whose preFilter state does not count pods leaves them out.
   */
  removePod?(state: CycleState, p: Pod, n: NodeInfo): void;
  addPod?(state: CycleState, p: Pod, n: NodeInfo): void;
  /**
   * The filter passes every pod on an open node (Ready, not cordoned, no NoSchedule or
   * NoExecute taint), so the cycle need not call it there: most nodes are open.
   */
  passesOpenNodes?: boolean;
}

export interface ScorePlugin {
  name: string;
  weight: number;
  /**
   * Once per pod, before scoring. SKIP leaves the plugin out: it would give every node the
   * same score, which changes no ranking (Kubernetes' PreScore Skip).
   */
  preScore?(state: CycleState, feasible: NodeInfo[]): void | typeof SKIP;
  /** 0..100, higher is better; raw scores may be normalized across nodes by `normalize`. */
  score(state: CycleState, node: NodeInfo): number;
  normalize?(scores: number[]): number[];
}

/** Scales scores so the best node gets 100 (or, with `reverse`, the lowest raw score does). */
export function normalizeToMax(scores: number[], reverse = false): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? 100 : 0));
  return scores.map((s) => (reverse ? 100 - Math.round((s * 100) / max) : Math.round((s * 100) / max)));
}

export interface ScheduleResult {
  node?: string;
  /** "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were unschedulable." */
  message?: string;
  /** Nodes filtered this time (the next search starts after them). */
  processed: number;
  /** When no node fits: the filters that said no, which decide what could change that. */
  rejectedBy?: Set<string>;
  /** When no node fits: the nodes a filter refused as UnschedulableAndUnresolvable (preemption cannot help there). */
  unresolvable?: Set<string>;
  /** When no node fits: the pod's filtering, for preemption to try nodes with pods taken away. */
  cycle?: FilterCycle;
}

/** "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were unschedulable." (reasons sorted, as Kubernetes' FitError). */
export function noNodeMessage(nodes: number, reasonCounts: ReadonlyMap<string, number>): string {
  // Kubernetes sorts the "<count> <reason>" strings themselves, count first.
  const parts = [...reasonCounts.entries()].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${nodes} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}

/**
 * How many feasible nodes to look for before scoring, as Kubernetes' percentageOfNodesToScore:
 * every node below 100; above, the configured share, or (0, the default) an adaptive one
 * falling from 50% by one point per 125 nodes down to 5%; never fewer than 100 nodes.
 */
export function feasibleNodesToFind(allNodes: number, percentageOfNodesToScore = 0): number {
  if (allNodes < 100 || percentageOfNodesToScore >= 100) return allNodes;
  const percentage = percentageOfNodesToScore || Math.max(5, 50 - Math.trunc(allNodes / 125));
  return Math.max(100, Math.floor((allNodes * percentage) / 100));
}

/** One pod's filtering: its cycle state, the filters that apply to it, and the nominations to respect. */
export interface FilterCycle {
  state: CycleState;
  active: FilterPlugin[];
  /** Of `active`, those an open node does not pass by itself. */
  onOpenNodes: FilterPlugin[];
  nominated?: ReadonlyMap<string, readonly Pod[]>;
  /** A preFilter refused the pod outright: no node is tried. */
  refused?: { plugin: string; result: FilterResult };
}

/** Runs the pod's preFilters once and keeps the filters that apply to it. */
export function prepareFilters(pod: Pod, nodes: NodeInfo[], filters: FilterPlugin[], ctx: ScheduleContext = {}): FilterCycle {
  const state: CycleState = { pod, allNodes: nodes, requests: podRequests(pod), hostPorts: hostPorts(pod), data: new Map(), affinityNodes: ctx.affinityNodes };
  const active: FilterPlugin[] = [];
  let refused: FilterCycle['refused'];
  for (const f of filters) {
    const pre = f.preFilter?.(state);
    if (pre === SKIP) continue;
    if (pre && pre.code !== 'Success') {
      refused = { plugin: f.name, result: pre };
      break;
    }
    active.push(f);
  }
  return { state, active, onOpenNodes: active.filter((f) => !f.passesOpenNodes), nominated: ctx.nominated, ...(refused ? { refused } : {}) };
}

/**
 * The node as this pod must see it: with the pods nominated to it that are at least as
 * important (other than the pod itself) counted as if they ran there. Usually none: `n` itself.
 */
export function withNominatedPods(cycle: FilterCycle, n: NodeInfo): NodeInfo {
  const waiting = cycle.nominated?.get(n.node.metadata.name!);
  if (!waiting?.length) return n;
  const pod = cycle.state.pod;
  const priority = podPriority(pod);
  const counted = waiting.filter((p) => p.metadata.uid !== pod.metadata.uid && podPriority(p) >= priority);
  if (!counted.length) return n;
  const view = newNodeInfo(n.node, n.pods);
  for (const p of counted) addPod(view, p);
  return view;
}

/** Tells the pod's filters that `p` left (or joined again) node `n`: a what-if of preemption. */
export function podLeaves(cycle: FilterCycle, p: Pod, n: NodeInfo): void {
  for (const f of cycle.active) f.removePod?.(cycle.state, p, n);
}

export function podJoins(cycle: FilterCycle, p: Pod, n: NodeInfo): void {
  for (const f of cycle.active) f.addPod?.(cycle.state, p, n);
}

/** The first filter that refuses the pod on `n` (as given: see withNominatedPods), or none. */
export function firstRefusal(cycle: FilterCycle, n: NodeInfo): { plugin: string; result: FilterResult } | undefined {
  for (const f of n.open ? cycle.onOpenNodes : cycle.active) {
    const result = f.filter(cycle.state, n);
    if (result.code !== 'Success') return { plugin: f.name, result };
  }
  return undefined;
}

/**
 * Filters nodes from `start` (wrapping around) until enough feasible ones are found, scores
 * those and picks the best. Starting where the last search stopped spreads the filtering
 * work, and the pods, over every node, as Kubernetes' rotating start index does. A node the
 * pod was nominated to is tried first and taken if it fits, as kube-scheduler does.
 */
export function schedule(pod: Pod, nodes: NodeInfo[], filters: FilterPlugin[], scores: ScorePlugin[], start = 0, ctx: ScheduleContext = {}): ScheduleResult {
  const cycle = prepareFilters(pod, nodes, filters, ctx);
  if (cycle.refused) {
    // Kubernetes' FitError with a PreFilter message: the reason once, not counted per node.
    const { plugin, result } = cycle.refused;
    const unresolvable = new Set(result.code === 'UnschedulableAndUnresolvable' ? nodes.map((n) => n.node.metadata.name!) : []);
    return { message: `0/${nodes.length} nodes are available: ${result.reasons.join(', ')}.`, processed: 0, rejectedBy: new Set([plugin]), unresolvable, cycle };
  }
  if (ctx.nominatedNode && !firstRefusal(cycle, withNominatedPods(cycle, ctx.nominatedNode))) return { node: ctx.nominatedNode.node.metadata.name, processed: 0 };
  const state = cycle.state;
  const feasible: NodeInfo[] = [];
  const reasonCounts = new Map<string, number>();
  const rejectedBy = new Set<string>();
  const unresolvable = new Set<string>();
  const wanted = feasibleNodesToFind(nodes.length, ctx.percentageOfNodesToScore);
  let processed = 0;
  for (; processed < nodes.length && feasible.length < wanted; processed++) {
    const n = nodes[(start + processed) % nodes.length]!;
    const refusal = firstRefusal(cycle, withNominatedPods(cycle, n));
    if (!refusal) {
      feasible.push(n);
      continue;
    }
    for (const reason of refusal.result.reasons) reasonCounts.set(reason, (reasonCounts.get(reason) ?? 0) + 1);
    rejectedBy.add(refusal.plugin);
    if (refusal.result.code === 'UnschedulableAndUnresolvable') unresolvable.add(n.node.metadata.name!);
  }
  if (feasible.length === 0) {
    return { message: noNodeMessage(nodes.length, reasonCounts), processed, rejectedBy, unresolvable, cycle };
  }
  if (feasible.length === 1) return { node: feasible[0]!.node.metadata.name, processed };
  const totals = new Array<number>(feasible.length).fill(0);
  for (const s of scores) {
    if (s.preScore?.(state, feasible) === SKIP) continue;
    if (!s.normalize) {
      // Straight into the totals: no array per plugin per pod.
      for (let i = 0; i < feasible.length; i++) totals[i]! += s.score(state, feasible[i]!) * s.weight;
      continue;
    }
    const raw = s.normalize(feasible.map((n) => s.score(state, n)));
    for (let i = 0; i < raw.length; i++) totals[i]! += raw[i]! * s.weight;
  }
  // Ties go to the node with the fewest pods, then by name, so placement is deterministic.
  let best = 0;
  for (let i = 1; i < feasible.length; i++) {
    const a = feasible[i]!;
    const b = feasible[best]!;
    if (totals[i]! > totals[best]! || (totals[i] === totals[best] && (a.pods.length < b.pods.length || (a.pods.length === b.pods.length && a.node.metadata.name! < b.node.metadata.name!)))) best = i;
  }
  return { node: feasible[best]!.node.metadata.name, processed };
}
