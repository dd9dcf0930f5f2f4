// Gives back the memory a burst leaves in the old generation. V8 collects the old generation
// when it has grown a set factor past what the last full collection kept (heap.ts), but a
// full collection compacts only a few pages: the pages a burst filled (5,000 pods created and
// scheduled) stay committed, a quarter to a half of them garbage or holes, and V8's memory
// reducer, which would compact them, waits for a process that allocates almost nothing, which a
// control-plane component never is for long (Leases, heartbeats, watches). So ~10 MB per
// process stayed resident until the next burst (BENCHMARKS.md). This asks V8 for its
// memory-reducing collection (what a low-memory notification does: collect and compact until
// nothing more is freed) once the event loop is quiet again after a busy spell and the old
// generation holds well more than the last full collection left: once per burst, so a process
// that is never busy (or always) is left to V8's own policy, which regrows the heap between its
// collections; a collection that frees little makes the next one wait twice as long.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface HeapTrimPolicy {
  /** Below this event-loop utilization over the last interval the process counts as quiet. */
  quietUtilization: number;
  /** Collect once the old generation commits this many bytes more than the last full collection left... */
  minExcessBytes: number;
  /** ...and at least this fraction of what it left. */
  minExcessRatio: number;
  /** Never sooner than this after the last collection this ran (doubled after one that freed less than minExcessBytes). */
  minGapMs: number;
  /** The longest the gap grows to. */
  maxGapMs: number;
}

export const DEFAULT_HEAP_TRIM_POLICY: HeapTrimPolicy = { quietUtilization: 0.5, minExcessBytes: 8 << 20, minExcessRatio: 0.25, minGapMs: 10_000, maxGapMs: 600_000 };

/** One look at the process: its old generation, and the event loop's utilization since the last look. */
export interface HeapSample {
  now: number;
  oldUsedBytes: number;
  oldCommittedBytes: number;
  utilization: number;
}

/**
 * The decision, apart from V8 so it can be tested: fed a sample every interval, says when to
 * collect. A full collection V8 ran itself shows as fewer used bytes than at the last look.
 */
export class HeapTrimDecider {
  private keptBytes: number;
  private lastUsed: number;
  private lastTrimAt: number;
  private gapMs: number;
  /** A busy spell since the last collection (a process's start is one). */
  private armed = true;

  constructor(first: HeapSample, private readonly policy: HeapTrimPolicy = DEFAULT_HEAP_TRIM_POLICY) {
    // Until a collection says otherwise, what is there now counts as live.
    this.keptBytes = first.oldUsedBytes;
    this.lastUsed = first.oldUsedBytes;
    this.lastTrimAt = first.now;
    this.gapMs = policy.minGapMs;
  }

  /** True when the memory-reducing collection should run now. */
  shouldCollect(sample: HeapSample): boolean {
    if (sample.oldUsedBytes < this.lastUsed) this.keptBytes = sample.oldUsedBytes;
    this.lastUsed = sample.oldUsedBytes;
    if (sample.utilization >= this.policy.quietUtilization) {
      this.armed = true;
      return false;
    }
    if (!this.armed) return false;
    if (sample.now - this.lastTrimAt < this.gapMs) return false;
    const excess = sample.oldCommittedBytes - this.keptBytes;
    return excess >= this.policy.minExcessBytes && excess >= this.keptBytes * this.policy.minExcessRatio;
  }

  /** What the collection gave back: one that freed little means waiting longer for the next. */
  collected(before: HeapSample, after: HeapSample): void {
    const freed = before.oldCommittedBytes - after.oldCommittedBytes;
    this.gapMs = freed < this.policy.minExcessBytes ? Math.min(this.gapMs * 2, this.policy.maxGapMs) : this.policy.minGapMs;
    this.keptBytes = after.oldUsedBytes;
    this.lastUsed = after.oldUsedBytes;
    this.lastTrimAt = after.now;
    this.armed = false;
  }
}

function oldSpace(): { used: number; committed: number } {
  const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
  return { used: old?.space_used_size ?? 0, committed: old?.space_size ?? 0 };
}

/**
 * Looks every `intervalMs` and collects after bursts; the timer does not keep the process
 * alive. V8's memory-reducing collection is reached through an in-process inspector session
 * (HeapProfiler.collectGarbage; no port is opened): `gc()` under --expose-gc does not compact.
 */
export async function trimHeapAfterBursts(opts: { intervalMs?: number; policy?: HeapTrimPolicy; onCollect?: (freedBytes: number, pauseMs: number) => void } = {}): Promise<{ stop(): void }> {
  let Session: typeof import('node:inspector').Session;
  try {
    ({ Session } = await import('node:inspector'));
  } catch {
    // A Node built without the inspector: V8's own policy only.
    return { stop: () => undefined };
  }
  const sample = (utilization: number): HeapSample => {
    const old = oldSpace();
    return { now: Date.now(), oldUsedBytes: old.used, oldCommittedBytes: old.committed, utilization };
  };
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  const decider = new HeapTrimDecider(sample(0), opts.policy);
  let collecting = false;
  const timer = setInterval(() => {
    const since = performance.eventLoopUtilization(elu);
    elu = performance.eventLoopUtilization();
    const before = sample(since.utilization);
    if (collecting || !decider.shouldCollect(before)) return;
    collecting = true;
    const started = performance.now();
    // A session only for the call: nothing of the inspector stays attached between collections.
    const session = new Session();
    session.connect();
    session.post('HeapProfiler.collectGarbage', () => {
      // Not from inside the session's own callback: Node 20 deadlocks there.
      setImmediate(() => session.disconnect());
      collecting = false;
      const pauseMs = performance.now() - started;
      const after = sample(0);
      decider.collected(before, after);
      opts.onCollect?.(before.oldCommittedBytes - after.oldCommittedBytes, pauseMs);
    });
  }, opts.intervalMs ?? 2000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
