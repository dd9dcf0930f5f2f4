// The scheduling queue, in the manner of kube-scheduler's: pods to try now, pods waiting out a
// back-off after an attempt, and pods no node fits, which wait until a cluster event that could
// change that for them. Which events can is decided per pod by the filters that rejected it
// (Kubernetes' queueing hints): a taint change brings back pods refused for taints, a pod
// leaving a node brings back pods refused for room or ports, a heartbeat or an unrelated change
// brings back nothing. Pods waiting longer than the safety-net interval are tried again anyway.
// Pods to try now are taken by priority, highest first, and first come first served among
// equals (kube-scheduler's PrioritySort): a burst of low-priority pods does not hold back a
// critical one.
import { WorkQueue } from '../client/workqueue.js';

export type ClusterEvent =
  | 'NodeAdded'
  | 'NodeLabelsChanged'
  | 'NodeTaintsChanged'
  | 'NodeAllocatableChanged'
  | 'NodeSchedulableChanged'
  | 'NodeReadyChanged'
  | 'PodRemovedFromNode'
  | 'AssignedPodAdded'
  | 'VolumeChanged';

/** The filters whose verdict an event can change ('all': any filter's, e.g. a new node). */
const FILTERS_AFFECTED: Record<ClusterEvent, ReadonlySet<string> | 'all'> = {
  NodeAdded: 'all',
  NodeLabelsChanged: new Set(['NodeAffinity', 'InterPodAffinity', 'PodTopologySpread', 'VolumeBinding', 'VolumeZone']),
  NodeTaintsChanged: new Set(['TaintToleration', 'PodTopologySpread']),
  NodeAllocatableChanged: new Set(['NodeResourcesFit']),
  NodeSchedulableChanged: new Set(['NodeUnschedulable']),
  NodeReadyChanged: new Set(['NodeReady']),
  // A ReadWriteOncePod claim's holder gone frees the claim (VolumeRestrictions).
  PodRemovedFromNode: new Set(['NodeResourcesFit', 'NodePorts', 'InterPodAffinity', 'PodTopologySpread', 'VolumeRestrictions']),
  // A pod bound, or a bound pod's labels changed: what affinity asks for may now exist, and
  // the emptiest domain of a spread may have filled.
  AssignedPodAdded: new Set(['InterPodAffinity', 'PodTopologySpread']),
  VolumeChanged: new Set(['VolumeBinding', 'VolumeRestrictions', 'VolumeZone']),
};

export interface SchedulingQueueOptions {
  /** Back-off after the first failed attempt, doubling per attempt up to the maximum (Kubernetes: 1 s, 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

/** Whether an event affecting `affected` filters concerns a pod that `rejectedBy` refused (called per waiting pod per event: no copies). */
function concerns(rejectedBy: ReadonlySet<string>, affected: ReadonlySet<string>): boolean {
  for (const f of rejectedBy) if (affected.has(f)) return true;
  return false;
}

export class SchedulingQueue {
  /** Each queued pod's priority (spec.priority), as last added. */
  private readonly priorities = new Map<string, number>();
  private readonly work = new WorkQueue<string>({ priority: (key) => this.priorities.get(key) ?? 0 });
  private readonly unschedulable = new Map<string, { rejectedBy: ReadonlySet<string>; since: number }>();
  private readonly attempts = new Map<string, { count: number; lastAt: number }>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => number;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** A pod new to the queue, or one whose own spec or labels changed: try it now, in order of `priority`. */
  add(key: string, priority = 0): void {
    this.unschedulable.delete(key);
    this.priorities.set(key, priority);
    this.work.add(key);
  }

  get(): Promise<string | undefined> {
    return this.work.get();
  }

  done(key: string): void {
    this.work.done(key);
  }

  shutDown(): void {
    this.work.shutDown();
  }

  /** The pod is bound, gone or someone else's: nothing of it stays. */
  remove(key: string): void {
    this.unschedulable.delete(key);
    this.attempts.delete(key);
    this.priorities.delete(key);
  }

  isUnschedulable(key: string): boolean {
    return this.unschedulable.has(key);
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  private backoffLeft(key: string): number {
    const a = this.attempts.get(key);
    if (!a) return 0;
    const backoff = Math.min(this.initialBackoffMs * 2 ** (a.count - 1), this.maxBackoffMs);
    return Math.max(0, a.lastAt + backoff - this.now());
  }

  private attempted(key: string): void {
    const a = this.attempts.get(key);
    this.attempts.set(key, { count: (a?.count ?? 0) + 1, lastAt: this.now() });
  }

  /** No node fits: wait for an event that concerns one of `rejectedBy` (the filters that said no). */
  markUnschedulable(key: string, rejectedBy: ReadonlySet<string>): void {
    this.attempted(key);
    this.unschedulable.set(key, { rejectedBy, since: this.now() });
  }

  /** The attempt failed for another reason (an error, a bind that failed): try again after the back-off. */
  retryAfterBackoff(key: string): void {
    this.attempted(key);
    this.work.addAfter(key, this.backoffLeft(key));
  }

  /** The pod was placed: its back-off history goes. */
  scheduled(key: string): void {
    this.attempts.delete(key);
  }

  private release(key: string): void {
    this.unschedulable.delete(key);
    this.work.addAfter(key, this.backoffLeft(key));
  }

  /** Brings back the waiting pods the event could help; returns how many. */
  onEvent(event: ClusterEvent): number {
    const affected = FILTERS_AFFECTED[event];
    let moved = 0;
    for (const [key, { rejectedBy }] of this.unschedulable) {
      if (affected !== 'all' && !concerns(rejectedBy, affected)) continue;
      this.release(key);
      moved++;
    }
    return moved;
  }

  /** Brings back pods that have waited longer than `maxWaitMs` whatever happened (the safety net); returns how many. */
  flushWaitingLongerThan(maxWaitMs: number): number {
    let moved = 0;
    for (const [key, { since }] of this.unschedulable) {
      if (this.now() - since < maxWaitMs) continue;
      this.release(key);
      moved++;
    }
    return moved;
  }
}
