// A Deployment's status from its ReplicaSets, with the Available and Progressing conditions and
// the reasons and messages Kubernetes uses (kubectl rollout status reads exactly these).
import { rfc3339 } from '../../../api/time.js';
import { findCondition } from '../../../api/conditions.js';
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from '../../../api/types/apps.js';
import { sumSpec, sumStatus, surgeAndUnavailable } from './rollout.js';

export type { DeploymentCondition };

/** Sets a condition: an unchanged status and reason keep the old one; an unchanged status keeps its transition time. */
export function setCondition(conditions: DeploymentCondition[], c: DeploymentCondition): DeploymentCondition[] {
  const current = conditions.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return conditions;
  const next = current && current.status === c.status ? { ...c, lastTransitionTime: current.lastTransitionTime } : c;
  return [...conditions.filter((x) => x.type !== c.type), next];
}

export function condition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = Number(d.spec?.replicas ?? 1);
  return s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1);
}

/** Progress: more updated, ready or available replicas than before, or fewer old ones. */
export function madeProgress(old: DeploymentStatus, now: DeploymentStatus): boolean {
  const n = (s: DeploymentStatus, k: 'replicas' | 'updatedReplicas' | 'readyReplicas' | 'availableReplicas') => s[k] ?? 0;
  return (
    n(now, 'updatedReplicas') > n(old, 'updatedReplicas') ||
    n(now, 'replicas') - n(now, 'updatedReplicas') < n(old, 'replicas') - n(old, 'updatedReplicas') ||
    n(now, 'readyReplicas') > n(old, 'readyReplicas') ||
    n(now, 'availableReplicas') > n(old, 'availableReplicas')
  );
}

/** Replica counts and the Available condition. */
export function calculateStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const now = rfc3339(new Date(nowMs));
  const available = sumStatus(all, 'availableReplicas');
  const replicas = Number(d.spec?.replicas ?? 1);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sumStatus(all, 'replicas'),
    updatedReplicas: Number(newRS?.status?.replicas ?? 0),
    readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpec(all) - available),
    ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
  };
  let conditions = [...(d.status?.conditions ?? [])];
  const { maxUnavailable } = surgeAndUnavailable(d);
  conditions =
    available >= replicas - maxUnavailable
      ? setCondition(conditions, condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now))
      : setCondition(conditions, condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  const failure = findCondition(newRS, 'ReplicaFailure');
  conditions = failure?.status === 'True'
    ? setCondition(conditions, condition('ReplicaFailure', 'True', failure.reason ?? 'FailedCreate', failure.message ?? '', now))
    : conditions.filter((c) => c.type !== 'ReplicaFailure');
  status.conditions = conditions;
  return status;
}

/**
 * The Progressing condition after a rollout step, and how long until the progress deadline
 * would pass (for a re-check), following the deployment controller's syncRolloutStatus.
 */
export function progressing(d: Deployment, status: DeploymentStatus, newRS: ReplicaSet | undefined, nowMs: number): { status: DeploymentStatus; recheckMs?: number } {
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline === undefined || deadline === null || d.spec?.paused) return { status };
  const now = rfc3339(new Date(nowMs));
  const rsName = newRS?.metadata.name ?? '';
  let conditions = status.conditions as DeploymentCondition[];
  const current = conditions.find((c) => c.type === 'Progressing');
  if (isComplete(d, status)) {
    conditions = setCondition(conditions, condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, now));
  } else if (madeProgress(d.status ?? {}, status)) {
    const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, now);
    if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
    conditions = [...conditions.filter((x) => x.type !== 'Progressing'), c];
  } else if (current && current.reason !== 'NewReplicaSetAvailable' && current.reason !== 'ProgressDeadlineExceeded') {
    const since = Date.parse(current.lastUpdateTime);
    const due = since + Number(deadline) * 1000;
    if (nowMs >= due) {
      conditions = setCondition(conditions, condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`, now));
    } else {
      status.conditions = conditions;
      return { status, recheckMs: due - nowMs + 50 };
    }
  }
  status.conditions = conditions;
  const after = conditions.find((c) => c.type === 'Progressing');
  const recheckMs = !isComplete(d, status) && after?.status === 'True' ? Number(deadline) * 1000 + 50 : undefined;
  return { status, recheckMs };
}
