// From the replicas the metrics ask for to the replicas an HPA sets, as Kubernetes' HPA
// controller decides it: recent recommendations stabilize the count (a scale-down waits until
// every recommendation of the last 5 minutes agrees), then the scale rate is limited (without
// `behavior`, at most double or +4 per sync; with it, by its policies over their periods), and
// minReplicas/maxReplicas bound it. Each step says why, for the AbleToScale and ScalingLimited
// conditions. The memory is per HPA and lives as long as this process, as in Kubernetes.
import type { HPAScalingRules } from '../../../api/types/autoscaling.js';

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

export interface Decision {
  replicas: number;
  reason: string;
  message: string;
}

export interface NormalizeArgs {
  key: string;
  current: number;
  desired: number;
  min: number;
  max: number;
  /** Both filled in (defaults applied), or undefined for an HPA without `behavior`. */
  behavior?: { scaleUp: Required<HPAScalingRules>; scaleDown: Required<HPAScalingRules> };
}

export interface Normalized {
  replicas: number;
  /** AbleToScale (True): ReadyForNewScale, ScaleUpStabilized or ScaleDownStabilized. */
  stabilization: Decision;
  /** ScalingLimited: True when the bounds or rates changed the stabilized count. */
  limit: Decision & { limited: boolean };
}

const READY: Omit<Decision, 'replicas'> = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const DOWN_STABILIZED = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const UP_STABILIZED = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
const WITHIN = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const SCALE_UP_LIMIT = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const SCALE_DOWN_LIMIT = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const TOO_MANY = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const TOO_FEW = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };

export class ScalingRules {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly ups = new Map<string, ScaleEvent[]>();
  private readonly downs = new Map<string, ScaleEvent[]>();

  constructor(
    /** --horizontal-pod-autoscaler-downscale-stabilization. */
    private readonly downscaleStabilizationMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The first sight of an HPA counts its target's current size as a recommendation. */
  recordInitial(key: string, current: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: this.now() }]);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.ups.delete(key);
    this.downs.delete(key);
  }

  normalize(a: NormalizeArgs): Normalized {
    return a.behavior ? this.withBehavior(a, a.behavior) : this.withoutBehavior(a);
  }

  /** Remembers a rescale, for the policies' periods. */
  recordScale(key: string, behavior: NormalizeArgs['behavior'], from: number, to: number): void {
    if (!behavior || from === to) return;
    const up = to > from;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const events = (up ? this.ups : this.downs).get(key) ?? [];
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
    const cutoff = this.now() - longest * 1000;
    for (const e of events) if (e.at < cutoff) e.outdated = true;
    const next = { change: Math.abs(to - from), at: this.now(), outdated: false };
    const old = events.findIndex((e) => e.outdated);
    if (old >= 0) events[old] = next;
    else events.push(next);
    (up ? this.ups : this.downs).set(key, events);
  }

  private record(key: string, replicas: number, replaceOlderThan: (at: number) => boolean): void {
    const list = this.recommendations.get(key) ?? [];
    const next = { replicas, at: this.now() };
    // Reuse the slot of the last sample that fell out of the window(s), as Kubernetes does.
    let old = -1;
    list.forEach((r, i) => replaceOlderThan(r.at) && (old = i));
    if (old >= 0) list[old] = next;
    else list.push(next);
    this.recommendations.set(key, list);
  }

  private withoutBehavior(a: NormalizeArgs): Normalized {
    const cutoff = this.now() - this.downscaleStabilizationMs;
    let stabilized = a.desired;
    for (const r of this.recommendations.get(a.key) ?? []) if (r.at >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
    this.record(a.key, a.desired, (at) => at < cutoff);
    const stabilization = { replicas: stabilized, ...(stabilized !== a.desired ? DOWN_STABILIZED : READY) };
    // At most double (or 4) per step, then the HPA's bounds.
    const scaleUpLimit = Math.trunc(Math.max(2 * a.current, 4));
    const [maxAllowed, upper] = a.max > scaleUpLimit ? [scaleUpLimit, SCALE_UP_LIMIT] : [a.max, TOO_MANY];
    let limit: Decision;
    if (stabilized < a.min) limit = { replicas: a.min, ...TOO_FEW };
    else if (stabilized > maxAllowed) limit = { replicas: maxAllowed, ...upper };
    else limit = { replicas: stabilized, ...WITHIN };
    return { replicas: limit.replicas, stabilization, limit: { ...limit, limited: limit.replicas !== stabilized } };
  }

  private withBehavior(a: NormalizeArgs, b: NonNullable<NormalizeArgs['behavior']>): Normalized {
    const now = this.now();
    const upCutoff = now - b.scaleUp.stabilizationWindowSeconds * 1000;
    const downCutoff = now - b.scaleDown.stabilizationWindowSeconds * 1000;
    // Up: the lowest recommendation of the up window; down: the highest of the down window.
    let up = a.desired;
    let down = a.desired;
    for (const r of this.recommendations.get(a.key) ?? []) {
      if (r.at > upCutoff) up = Math.min(up, r.replicas);
      if (r.at > downCutoff) down = Math.max(down, r.replicas);
    }
    let stabilized = a.current;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    this.record(a.key, a.desired, (at) => at < upCutoff && at < downCutoff);
    const stabilizedWhy = a.desired >= a.current ? UP_STABILIZED : DOWN_STABILIZED;
    const stabilization = { replicas: stabilized, ...(stabilized !== a.desired ? stabilizedWhy : READY) };
    const limit = this.rateLimited({ ...a, desired: stabilized }, b);
    return { replicas: limit.replicas, stabilization, limit: { ...limit, limited: limit.replicas !== stabilized } };
  }

  private rateLimited(a: NormalizeArgs, b: NonNullable<NormalizeArgs['behavior']>): Decision {
    const ups = this.ups.get(a.key) ?? [];
    const downs = this.downs.get(a.key) ?? [];
    if (a.desired > a.current) {
      const limit = Math.max(scaleUpLimit(a.current, ups, downs, b.scaleUp, this.now()), a.current);
      const [maxAllowed, why] = a.max > limit ? [limit, SCALE_UP_LIMIT] : [a.max, TOO_MANY];
      if (a.desired > maxAllowed) return { replicas: maxAllowed, ...why };
    } else if (a.desired < a.current) {
      const limit = Math.min(scaleDownLimit(a.current, ups, downs, b.scaleDown, this.now()), a.current);
      const [minAllowed, why] = a.min < limit ? [limit, SCALE_DOWN_LIMIT] : [a.min, TOO_FEW];
      if (a.desired < minAllowed) return { replicas: minAllowed, ...why };
    }
    return { replicas: a.desired, ...WITHIN };
  }
}

/** Replicas added (or removed) within the last `periodSeconds`. */
function changeWithin(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.at > cutoff) sum += e.change;
  return sum;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/** The replicas at the start of a policy's period: now, less what it added, plus what it removed. */
function periodStart(current: number, periodSeconds: number, ups: ScaleEvent[], downs: ScaleEvent[], now: number): number {
  return current - changeWithin(periodSeconds, ups, now) + changeWithin(periodSeconds, downs, now);
}

/** The most replicas the scale-up policies allow now: Max picks the most generous policy, Min the strictest. */
export function scaleUpLimit(current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: Required<HPAScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? INT32_MAX : INT32_MIN;
  for (const p of rules.policies) {
    const start = periodStart(current, p.periodSeconds, ups, downs, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now: Max allows the biggest step, Min the smallest. */
export function scaleDownLimit(current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: Required<HPAScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? INT32_MIN : INT32_MAX;
  for (const p of rules.policies) {
    const start = periodStart(current, p.periodSeconds, ups, downs, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}
