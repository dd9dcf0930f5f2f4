import { describe, expect, it } from 'vitest';
import { DEFAULT_EVICTION_HARD, formatAmount, parseThresholds, thresholdQuantity, thresholdQuantityText } from './thresholds.js';

describe('eviction thresholds', () => {
  it("parses Kubernetes' default hard thresholds", () => {
    const t = parseThresholds({ hard: DEFAULT_EVICTION_HARD });
    expect(t.map((x) => x.signal).sort()).toEqual(['imagefs.available', 'imagefs.inodesFree', 'memory.available', 'nodefs.available', 'nodefs.inodesFree']);
    const memory = t.find((x) => x.signal === 'memory.available')!;
    expect(memory.value).toEqual({ quantity: 100 * 1024 * 1024, text: '100Mi' });
    expect(memory.gracePeriodMs).toBe(0);
    expect(thresholdQuantity(t.find((x) => x.signal === 'nodefs.available')!.value, 1000)).toBe(100);
  });

  it('takes soft thresholds with their grace periods and minimum reclaims', () => {
    const t = parseThresholds({ hard: '', soft: 'memory.available<1.5Gi', softGracePeriod: 'memory.available=1m30s', minimumReclaim: 'memory.available=500Mi' });
    expect(t).toEqual([{ signal: 'memory.available', value: { quantity: 1.5 * 1024 ** 3, text: '1.5Gi' }, gracePeriodMs: 90_000, minReclaim: { quantity: 500 * 1024 ** 2, text: '500Mi' } }]);
  });

  it('turns a threshold of 0% or 100% off', () => {
    expect(parseThresholds({ hard: 'memory.available<100Mi,nodefs.available<0%,imagefs.available<100%' }).map((x) => x.signal)).toEqual(['memory.available']);
  });

  it("refuses what Kubernetes refuses, in its words", () => {
    expect(() => parseThresholds({ hard: 'cpu.available<1' })).toThrow('unsupported eviction signal cpu.available');
    expect(() => parseThresholds({ hard: 'memory.available<0' })).toThrow('eviction threshold memory.available must be positive: 0');
    expect(() => parseThresholds({ hard: 'nodefs.available<150%' })).toThrow('eviction percentage threshold nodefs.available must be <= 100%: 150%');
    expect(() => parseThresholds({ hard: 'nodefs.available<-5%' })).toThrow('must be >= 0%');
    expect(() => parseThresholds({ hard: 'memory.available<lots' })).toThrow('quantities must match');
    expect(() => parseThresholds({ hard: '', soft: 'memory.available<1Gi' })).toThrow('grace period must be specified for the soft eviction threshold memory.available');
    expect(() => parseThresholds({ hard: '', softGracePeriod: 'memory.available=soon' })).toThrow('invalid duration');
    expect(() => parseThresholds({ hard: '', minimumReclaim: 'nodefs.available=0%' })).toThrow('eviction percentage minimum reclaim nodefs.available must be positive: 0%');
    expect(() => parseThresholds({ hard: 'memory.available' })).toThrow('malformed pair');
  });

  it('writes amounts as Go writes quantities', () => {
    expect(formatAmount(100 * 1024 * 1024, 'memory')).toBe('100Mi');
    expect(formatAmount(1536 * 1024, 'memory')).toBe('1536Ki');
    expect(formatAmount(1_000_001, 'ephemeral-storage')).toBe('1000001');
    expect(formatAmount(1000, 'memory')).toBe('1k');
    expect(formatAmount(12_000, 'pids')).toBe('12k');
    expect(formatAmount(0, 'inodes')).toBe('0');
    // A percentage's amount is computed (truncated), a quantity's shown as written.
    expect(thresholdQuantityText({ percentage: Math.fround(0.1) }, 10 * 1024 ** 3, 'ephemeral-storage')).toBe(String(Math.trunc(10 * 1024 ** 3 * Math.fround(0.1))));
    expect(thresholdQuantityText({ quantity: 1, text: '100Mi' }, 0, 'memory')).toBe('100Mi');
  });
});
