// The arithmetic of a Deployment rollout, pure: template equality, maxSurge / maxUnavailable
// resolution, how far the new ReplicaSet may grow and the old ones shrink in one
// step of a rolling update, and proportional scaling when replicas change mid-rollout.
import { canonical } from '../../../api/canonical.js';
import type { Deployment, ReplicaSet } from '../../../api/types/apps.js';
import type { PodTemplateSpec } from '../../../api/types/pod.js';
import { resolveIntOrPercent } from '../workload-arithmetic.js';

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

function withoutHash(template: PodTemplateSpec | undefined): unknown {
  if (!template) return template;
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[HASH_LABEL];
  return { ...template, metadata: { ...(template.metadata ?? {}), labels } };
}

/** Whether two pod templates are the same apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonical(withoutHash(a)) === canonical(withoutHash(b));
}

/** maxSurge and maxUnavailable for a Deployment; both 0 would deadlock, so unavailable becomes 1. */
export function surgeAndUnavailable(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = Number(d.spec?.replicas ?? 1);
  if (d.spec?.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = resolveIntOrPercent(ru.maxSurge, replicas, true, '25%');
  let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable, replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

export const specReplicas = (rs: ReplicaSet | undefined): number => Number(rs?.spec?.replicas ?? 0);
export const sumSpec = (list: ReplicaSet[]) => list.reduce((n, rs) => n + specReplicas(rs), 0);
export const sumStatus = (list: ReplicaSet[], field: 'replicas' | 'readyReplicas' | 'availableReplicas') => list.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);

/** The size the new ReplicaSet may grow to now (RollingUpdate), or the full count (Recreate). */
export function newReplicaSetReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const replicas = Number(d.spec?.replicas ?? 1);
  if (d.spec?.strategy?.type === 'Recreate') return replicas;
  const current = specReplicas(newRS);
  if (current >= replicas) return replicas;
  const { maxSurge } = surgeAndUnavailable(d);
  const room = replicas + maxSurge - sumSpec(all);
  if (room <= 0) return current;
  return current + Math.min(room, replicas - current);
}

/**
 * How many old replicas may go now without dropping below replicas - maxUnavailable available
 * (counting the new ReplicaSet's pods that are not yet available as unavailable).
 */
export function oldReplicasToScaleDown(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const replicas = Number(d.spec?.replicas ?? 1);
  const { maxUnavailable } = surgeAndUnavailable(d);
  const minAvailable = replicas - maxUnavailable;
  const newUnavailable = specReplicas(newRS) - Number(newRS?.status?.availableReplicas ?? 0);
  return sumSpec(all) - minAvailable - newUnavailable;
}

/** The scale-down plan for old ReplicaSets: unhealthy replicas first, then available ones down to the floor. */
export function planOldScaleDown(d: Deployment, all: ReplicaSet[], old: ReplicaSet[], newRS: ReplicaSet | undefined): Map<ReplicaSet, number> {
  const sizes = new Map<ReplicaSet, number>(old.map((rs) => [rs, specReplicas(rs)]));
  let budget = oldReplicasToScaleDown(d, all, newRS);
  if (budget <= 0) return new Map();
  // Oldest first.
  const byAge = [...old].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const rs of byAge) {
    if (budget <= 0) break;
    const unhealthy = specReplicas(rs) - Number(rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const n = Math.min(unhealthy, budget);
    sizes.set(rs, sizes.get(rs)! - n);
    budget -= n;
  }
  // Then available pods, but never below replicas - maxUnavailable available in total.
  const replicas = Number(d.spec?.replicas ?? 1);
  const minAvailable = replicas - surgeAndUnavailable(d).maxUnavailable;
  const available = sumStatus(all, 'availableReplicas');
  let more = available - minAvailable;
  for (const rs of byAge) {
    if (more <= 0) break;
    const size = sizes.get(rs)!;
    if (size <= 0) continue;
    const n = Math.min(size, more);
    sizes.set(rs, size - n);
    more -= n;
  }
  for (const [rs, size] of [...sizes]) if (size === specReplicas(rs)) sizes.delete(rs);
  return sizes;
}

/**
 * Replicas changed during a rollout: spread the difference over the active ReplicaSets in
 * proportion to their sizes (biggest first when adding, smallest first when removing), so a
 * scale-up does not all land on one side of the rollout. Returns the new size of each.
 */
export function proportionalScale(d: Deployment, active: ReplicaSet[]): Map<ReplicaSet, number> {
  const replicas = Number(d.spec?.replicas ?? 1);
  const { maxSurge } = surgeAndUnavailable(d);
  const allowed = replicas > 0 ? replicas + maxSurge : 0;
  const toAdd = allowed - sumSpec(active);
  const out = new Map<ReplicaSet, number>(active.map((rs) => [rs, specReplicas(rs)]));
  if (toAdd === 0) return out;
  const sorted = [...active].sort((a, b) => (toAdd > 0 ? specReplicas(b) - specReplicas(a) : specReplicas(a) - specReplicas(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
  let added = 0;
  for (const rs of sorted) {
    const previousAllowed = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? 0) || sumSpec(active) || 1;
    const fraction = replicas === 0 ? -specReplicas(rs) : Math.round((specReplicas(rs) * allowed) / previousAllowed) - specReplicas(rs);
    const left = toAdd - added;
    const share = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
    out.set(rs, specReplicas(rs) + share);
    added += share;
  }
  if (added !== toAdd && sorted.length) out.set(sorted[0]!, out.get(sorted[0]!)! + (toAdd - added));
  for (const [rs, n] of out) if (n < 0) out.set(rs, 0);
  return out;
}
