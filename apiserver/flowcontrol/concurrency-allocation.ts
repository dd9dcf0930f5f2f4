// How API Priority and Fairness shares the server's seats among priority levels when they
// borrow from each other (Kubernetes' KEP-1040 borrowing): every level gets the same multiple
// ("fair proportion") of its target, held between its lower and upper bounds, and the
// multiple is the one that makes the allocations add up to the seats there are.

export interface AllocationItem {
  /** What the level would like: its smoothed seat demand, at least its lower bound. */
  target: number;
  /** The least it gets: what it may not lend, or what it used in the last period if more. */
  lower: number;
  /** The most it gets: its nominal seats plus what it may borrow. */
  upper: number;
}

export interface Allocation {
  seats: number[];
  /** The multiple of each target given (before bounds), as the seat_fair_frac metric shows it. */
  fairProportion: number;
}

/** A target this small counts as this, so that a level with no demand still has a proportion. */
const MIN_TARGET = 0.001;

function clamp(x: number, lower: number, upper: number): number {
  return Math.max(lower, Math.min(upper, x));
}

/**
 * The allocation of `total` seats to `items`. The sum of the allocations as a function of the
 * proportion p (each item gets clamp(p * target, lower, upper)) is continuous, piecewise linear
 * and non-decreasing, bending only where p * target meets a bound: evaluating it at those
 * points finds the segment where it reaches `total`, and within that segment it is linear.
 */
export function allocateConcurrency(total: number, items: AllocationItem[]): Allocation {
  const targets = items.map((i) => Math.max(MIN_TARGET, i.target));
  const lows = items.map((i) => Math.max(0, i.lower));
  const highs = items.map((i, k) => Math.max(lows[k]!, i.upper));
  const sumAt = (p: number) => targets.reduce((sum, t, k) => sum + clamp(p * t, lows[k]!, highs[k]!), 0);
  const bends = [...new Set(targets.flatMap((t, k) => [lows[k]! / t, highs[k]! / t]))].sort((a, b) => a - b);
  if (!bends.length) return { seats: [], fairProportion: 0 };
  const first = bends[0]!;
  const last = bends[bends.length - 1]!;
  // Not enough seats for every lower bound, or more than every upper bound takes: the bounds decide.
  if (sumAt(first) >= total) return { seats: lows, fairProportion: first };
  if (sumAt(last) <= total) return { seats: highs, fairProportion: last };
  let p = last;
  let before = first;
  let sumBefore = sumAt(first);
  for (const bend of bends.slice(1)) {
    const sum = sumAt(bend);
    if (sum >= total) {
      p = sum === sumBefore ? bend : before + ((total - sumBefore) * (bend - before)) / (sum - sumBefore);
      break;
    }
    before = bend;
    sumBefore = sum;
  }
  return { seats: targets.map((t, k) => clamp(p * t, lows[k]!, highs[k]!)), fairProportion: p };
}
