// The scheduling framework: plugins implement the extension points they need. A filter says
// whether a pod may go on a node (and why not); a score ranks the feasible nodes 0..100.
import type { Pod } from '../api/types/pod.js';
import type { NodeInfo } from './node-info.js';

export type FilterCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterResult {
  code: FilterCode;
  /** Reasons in Kubernetes' wording, e.g. "Insufficient cpu". */
  reasons: string[];
}

export const ok: FilterResult = { code: 'Success', reasons: [] };
export const unschedulable = (...reasons: string[]): FilterResult => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): FilterResult => ({ code: 'UnschedulableAndUnresolvable', reasons });

/** Everything a plugin may look at besides the node in question. */
export interface CycleState {
  pod: Pod;
  allNodes: NodeInfo[];
}

export interface FilterPlugin {
  name: string;
  filter(state: CycleState, node: NodeInfo): FilterResult;
}

export interface ScorePlugin {
  name: string;
  weight: number;
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
}

export function schedule(pod: Pod, nodes: NodeInfo[], filters: FilterPlugin[], scores: ScorePlugin[]): ScheduleResult {
  const state: CycleState = { pod, allNodes: nodes };
  const feasible: NodeInfo[] = [];
  const reasonCounts = new Map<string, number>();
  for (const n of nodes) {
    let passed = true;
    for (const f of filters) {
      const r = f.filter(state, n);
      if (r.code !== 'Success') {
        for (const reason of r.reasons) reasonCounts.set(reason, (reasonCounts.get(reason) ?? 0) + 1);
        passed = false;
        break;
      }
    }
    if (passed) feasible.push(n);
  }
  if (feasible.length === 0) {
    const parts = [...reasonCounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([r, n]) => `${n} ${r}`);
    return { message: `0/${nodes.length} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.` };
  }
  if (feasible.length === 1) return { node: feasible[0]!.node.metadata.name };
  const totals = new Array<number>(feasible.length).fill(0);
  for (const s of scores) {
    let raw = feasible.map((n) => s.score(state, n));
    if (s.normalize) raw = s.normalize(raw);
    raw.forEach((v, i) => (totals[i]! += v * s.weight));
  }
  // Ties go to the node with the fewest pods, then by name, so placement is deterministic.
  let best = 0;
  for (let i = 1; i < feasible.length; i++) {
    const a = feasible[i]!;
    const b = feasible[best]!;
    if (totals[i]! > totals[best]! || (totals[i] === totals[best] && (a.pods.length < b.pods.length || (a.pods.length === b.pods.length && a.node.metadata.name! < b.node.metadata.name!)))) best = i;
  }
  return { node: feasible[best]!.node.metadata.name };
}
