import { describe, expect, it } from 'vitest';
import { HeapTrimDecider, type HeapSample, type HeapTrimPolicy } from './heap-trim.js';

const MB = 1 << 20;
const policy: HeapTrimPolicy = { quietUtilization: 0.5, minExcessBytes: 8 * MB, minExcessRatio: 0.25, minGapMs: 10_000, maxGapMs: 80_000 };
const at = (now: number, usedMB: number, committedMB: number, utilization: number): HeapSample => ({ now, oldUsedBytes: usedMB * MB, oldCommittedBytes: committedMB * MB, utilization });

describe('when the old generation is given back', () => {
  it('collects once a burst is over and the old generation commits well more than the last full collection kept', () => {
    const d = new HeapTrimDecider(at(0, 20, 22, 0), policy);
    // The burst: busy, growing.
    expect(d.shouldCollect(at(10_000, 30, 34, 0.95))).toBe(false);
    expect(d.shouldCollect(at(12_000, 24, 40, 0.9))).toBe(false); // V8 collected: 24 MB kept
    // Quiet again, 16 MB committed past what was kept: collect.
    expect(d.shouldCollect(at(14_000, 26, 40, 0.2))).toBe(true);
  });

  it('leaves a busy process to V8, however much it commits', () => {
    const d = new HeapTrimDecider(at(0, 20, 22, 0), policy);
    for (let t = 2000; t < 100_000; t += 2000) expect(d.shouldCollect(at(t, 20, 60, 0.6))).toBe(false);
  });

  it('does not collect for a small excess, nor for one small against what is live', () => {
    const small = new HeapTrimDecider(at(0, 20, 22, 0), policy);
    expect(small.shouldCollect(at(20_000, 21, 27, 0.1))).toBe(false); // 7 MB past 20
    const big = new HeapTrimDecider(at(0, 100, 100, 0), policy);
    expect(big.shouldCollect(at(20_000, 100, 120, 0.1))).toBe(false); // 20 MB, but a fifth of 100
    expect(big.shouldCollect(at(22_000, 100, 126, 0.1))).toBe(true);
  });

  it('collects once per busy spell: a process that stays quiet is left to V8 between its own collections', () => {
    const d = new HeapTrimDecider(at(0, 20, 22, 0), policy);
    expect(d.shouldCollect(at(12_000, 22, 34, 0.1))).toBe(true);
    d.collected(at(12_000, 22, 34, 0.1), at(12_100, 20, 21, 0));
    // Quiet: the heap regrows and V8 collects by itself; nothing from here.
    for (let t = 14_000; t < 120_000; t += 2000) expect(d.shouldCollect(at(t, 20 + ((t / 2000) % 8), 34, 0.2))).toBe(false);
    // A busy spell, then quiet: once more.
    expect(d.shouldCollect(at(122_000, 30, 40, 0.8))).toBe(false);
    expect(d.shouldCollect(at(124_000, 24, 40, 0.1))).toBe(true);
  });

  it('waits at least the gap after its own collection, and twice as long after one that freed little', () => {
    const d = new HeapTrimDecider(at(0, 20, 22, 0), policy);
    expect(d.shouldCollect(at(10_000, 20, 32, 0.1))).toBe(true);
    d.collected(at(10_000, 20, 32, 0.1), at(10_100, 20, 28, 0)); // freed 4 MB: gap 20 s
    expect(d.shouldCollect(at(12_000, 22, 38, 0.9))).toBe(false);
    expect(d.shouldCollect(at(20_000, 22, 38, 0.1))).toBe(false);
    expect(d.shouldCollect(at(30_200, 22, 38, 0.1))).toBe(true);
    d.collected(at(30_200, 22, 38, 0.1), at(30_300, 20, 22, 0)); // freed 16 MB: back to 10 s
    expect(d.shouldCollect(at(32_000, 22, 38, 0.9))).toBe(false);
    expect(d.shouldCollect(at(40_400, 22, 38, 0.1))).toBe(true);
  });
});
