// A priority level's seat demand (the seats its running requests hold plus those its waiting
// requests ask for) followed over time, as Kubernetes' APF integrator does: between two
// borrowing adjustments it keeps the time-weighted average, standard deviation and highest
// value; each adjustment folds them into a smoothed demand that rises at once and decays
// slowly (a half-life of about five minutes at one adjustment per ten seconds).

/** How much of the previous smoothed demand each adjustment keeps. */
const SMOOTHING = 0.977;

export interface DemandStatistics {
  average: number;
  deviation: number;
  highWatermark: number;
  smoothed: number;
}

export class SeatDemand {
  private value = 0;
  private lastChange: number;
  private periodStart: number;
  private integral = 0;
  private integralOfSquares = 0;
  private max = 0;
  readonly statistics: DemandStatistics = { average: 0, deviation: 0, highWatermark: 0, smoothed: 0 };

  constructor(now: number) {
    this.lastChange = now;
    this.periodStart = now;
  }

  private accumulate(now: number): void {
    const dt = Math.max(0, now - this.lastChange);
    this.integral += this.value * dt;
    this.integralOfSquares += this.value * this.value * dt;
    this.lastChange = now;
  }

  /** The demand is `value` from `now` on. */
  set(value: number, now: number): void {
    if (value === this.value) return;
    this.accumulate(now);
    this.value = value;
    if (value > this.max) this.max = value;
  }

  /** Ends the period at `now`: its figures go into the statistics, and a new period starts at the current demand. */
  endPeriod(now: number): DemandStatistics {
    this.accumulate(now);
    const duration = now - this.periodStart;
    const s = this.statistics;
    s.highWatermark = this.max;
    if (duration > 0) {
      s.average = this.integral / duration;
      s.deviation = Math.sqrt(Math.max(0, this.integralOfSquares / duration - s.average * s.average));
      const envelope = s.average + s.deviation;
      s.smoothed = Math.max(envelope, SMOOTHING * s.smoothed + (1 - SMOOTHING) * envelope);
    }
    this.periodStart = now;
    this.integral = 0;
    this.integralOfSquares = 0;
    this.max = this.value;
    return s;
  }
}
