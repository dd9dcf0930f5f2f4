// Sharing the server's seats among priority levels by their targets, within their bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateConcurrency, type AllocationItem } from './concurrency-allocation.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('allocating seats among priority levels', () => {
  it('gives each level the same multiple of its target when no bound is in the way', () => {
    const { seats, fairProportion } = allocateConcurrency(60, [
      { target: 10, lower: 0, upper: 100 },
      { target: 20, lower: 0, upper: 100 },
    ]);
    expect(seats.map((s) => Math.round(s * 1e9) / 1e9)).toEqual([20, 40]);
    expect(fairProportion).toBeCloseTo(2);
  });

  it('holds a level at its lower bound and gives the rest to the others', () => {
    // A busy level (target 20) and an idle one that may lend only half of its 10 seats.
    const { seats } = allocateConcurrency(20, [
      { target: 20, lower: 10, upper: 110 },
      { target: 5, lower: 5, upper: 110 },
    ]);
    expect(seats[0]).toBeCloseTo(15);
    expect(seats[1]).toBeCloseTo(5);
  });

  it('holds a level at its upper bound and gives the rest to the others', () => {
    const { seats } = allocateConcurrency(30, [
      { target: 30, lower: 0, upper: 12 },
      { target: 10, lower: 0, upper: 100 },
    ]);
    expect(seats[0]).toBeCloseTo(12);
    expect(seats[1]).toBeCloseTo(18);
  });

  it('answers the bounds when they leave no choice', () => {
    expect(allocateConcurrency(5, [{ target: 10, lower: 4, upper: 20 }, { target: 10, lower: 4, upper: 20 }]).seats).toEqual([4, 4]);
    expect(allocateConcurrency(50, [{ target: 10, lower: 4, upper: 20 }, { target: 10, lower: 4, upper: 20 }]).seats).toEqual([20, 20]);
    expect(allocateConcurrency(10, []).seats).toEqual([]);
  });

  it('a level with no demand still gets its share when seats are left over', () => {
    const { seats } = allocateConcurrency(100, [
      { target: 0, lower: 0, upper: 100 },
      { target: 10, lower: 10, upper: 40 },
    ]);
    expect(seats[1]).toBeCloseTo(40);
    expect(seats[0]).toBeCloseTo(60);
  });

  it('always sums to the seats there are, within every bound, one proportion for all the unbounded', () => {
    const item = fc
      .record({ target: fc.double({ min: 0, max: 500, noNaN: true }), lower: fc.double({ min: 0, max: 100, noNaN: true }), extra: fc.double({ min: 0, max: 600, noNaN: true }) })
      .map(({ target, lower, extra }): AllocationItem => ({ target: Math.max(target, lower), lower, upper: lower + extra }));
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 9 }), fc.double({ min: 0, max: 1, noNaN: true }), (items, where) => {
        const low = sum(items.map((i) => i.lower));
        const high = sum(items.map((i) => i.upper));
        const total = low + (high - low) * where;
        const { seats, fairProportion } = allocateConcurrency(total, items);
        expect(sum(seats)).toBeCloseTo(total, 6);
        items.forEach((i, k) => {
          expect(seats[k]!).toBeGreaterThanOrEqual(i.lower - 1e-9);
          expect(seats[k]!).toBeLessThanOrEqual(i.upper + 1e-9);
          const t = Math.max(0.001, i.target);
          // Off its bounds, a level gets exactly the common proportion of its target.
          if (seats[k]! > i.lower + 1e-6 && seats[k]! < i.upper - 1e-6) expect(seats[k]! / t).toBeCloseTo(fairProportion, 6);
        });
      }),
      { numRuns: 500 },
    );
  });
});
