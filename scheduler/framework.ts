// The scheduling framework: plugins implement the extension points they need. A filter says
// whether a pod may go on a node (and why not); a score ranks the feasible nodes 0..100.
import type { Pod } from '../api/types/pod.js';
import { hostPorts, podRequests, type NodeInfo, type Resources } from './node-info.js';

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
  /** Of allNodes, those holding pods with required anti-affinity terms, when the caller keeps track (else every node may). */
  antiAffinityNodes?: NodeInfo[];
}

/** What the caller's cache knows beyond the nodes themselves. */
export interface ScheduleContext {
  antiAffinityNodes?: NodeInfo[];
}

/** What a preFilter or preScore returns when its plugin has nothing to do for this pod. */
export const SKIP = 'Skip';

export interface FilterPlugin {
  name: string;
  /**
   * Once per pod, before any node is filtered: work that does not depend on the node.
   * Returning SKIP leaves the plugin's filter out of this pod's cycle, as Kubernetes' Skip
   * status does (most pods ask nothing of most filters).
   */
  preFilter?(state: CycleState): void | typeof SKIP;
  filter(state: CycleState, node: NodeInfo): FilterResult;
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
}

/**
 * How many feasible nodes to look for before scoring, as Kubernetes' adaptive
 * percentageOfNodesToScore: every node below 100; above, a share falling from 50% by one
 * point per 125 nodes down to 5%, and never fewer than 100 nodes.
 */
export function feasibleNodesToFind(allNodes: number): number {
  if (allNodes < 100) return allNodes;
  const percentage = Math.max(5, 50 - allNodes / 125);
  return Math.max(100, Math.floor((allNodes * percentage) / 100));
}

function cycleState(pod: Pod, nodes: NodeInfo[], ctx: ScheduleContext): CycleState {
  return { pod, allNodes: nodes, requests: podRequests(pod), hostPorts: hostPorts(pod), data: new Map(), antiAffinityNodes: ctx.antiAffinityNodes };
}

/**
 * Filters nodes from `start` (wrapping around) until enough feasible ones are found, scores
 * those and picks the best. Starting where the last search stopped spreads the filtering
 * work, and the pods, over every node, as Kubernetes' rotating start index does.
 */
export function schedule(pod: Pod, nodes: NodeInfo[], filters: FilterPlugin[], scores: ScorePlugin[], start = 0, ctx: ScheduleContext = {}): ScheduleResult {
  const state = cycleState(pod, nodes, ctx);
  const active = filters.filter((f) => f.preFilter?.(state) !== SKIP);
  const onOpenNodes = active.filter((f) => !f.passesOpenNodes);
  const feasible: NodeInfo[] = [];
  const reasonCounts = new Map<string, number>();
  const rejectedBy = new Set<string>();
  const wanted = feasibleNodesToFind(nodes.length);
  let processed = 0;
  for (; processed < nodes.length && feasible.length < wanted; processed++) {
    const n = nodes[(start + processed) % nodes.length]!;
    let passed = true;
    for (const f of n.open ? onOpenNodes : active) {
      const r = f.filter(state, n);
      if (r.code !== 'Success') {
        for (const reason of r.reasons) reasonCounts.set(reason, (reasonCounts.get(reason) ?? 0) + 1);
        rejectedBy.add(f.name);
        passed = false;
        break;
      }
    }
    if (passed) feasible.push(n);
  }
  if (feasible.length === 0) {
    const parts = [...reasonCounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([r, n]) => `${n} ${r}`);
    return { message: `0/${nodes.length} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`, processed, rejectedBy };
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
