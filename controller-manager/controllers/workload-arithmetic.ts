// What every workload controller computes the same way: a pod template's hash (Deployments'
// pod-template-hash, DaemonSets' and StatefulSets' revision names) and an int-or-percent of a
// total (maxSurge, maxUnavailable, partitions of budgets).
import { canonical } from '../../api/canonical.js';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a over the template (and collision count), in letters that never spell words. */
export function templateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const text = canonical(template) + (collisionCount ? String(collisionCount) : '');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((ch) => SAFE[ch.charCodeAt(0) % SAFE.length]).join('');
}

/** An int-or-percent against a total; percents round up for surge, down for unavailability. */
export function resolveIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean, fallback: string): number {
  const value = v ?? fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
