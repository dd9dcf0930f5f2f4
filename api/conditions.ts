// Status conditions, and the facts components read off them: is a node Ready, is a pod Ready,
// has a pod finished. Written once here instead of in each component.
import type { Condition, KubeObject } from './types/meta.js';

export type { Condition };


type WithConditions = Pick<KubeObject, 'status'> | undefined;

/** The condition of `type` in `obj.status.conditions`, if any. */
export function findCondition(obj: WithConditions, type: string): Condition | undefined {
  const conditions = obj?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as Condition[]).find((c) => c && c.type === type);
}

/** Sets a condition in a list, keeping its transition time when its status did not change. */
export function setCondition(conditions: Condition[], c: Condition, now: string): Condition[] {
  const old = conditions.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  return old ? conditions.map((x) => (x.type === c.type ? next : x)) : [...conditions, next];
}

export function isConditionTrue(obj: WithConditions, type: string): boolean {
  return findCondition(obj, type)?.status === 'True';
}

/** The status of a node's Ready condition ('True', 'False', 'Unknown'), or undefined before the kubelet posted one. */
export function nodeReadyStatus(node: WithConditions): string | undefined {
  return findCondition(node, 'Ready')?.status;
}

export function isNodeReady(node: WithConditions): boolean {
  return isConditionTrue(node, 'Ready');
}

export function isPodReady(pod: WithConditions): boolean {
  return isConditionTrue(pod, 'Ready');
}

/** A pod in phase Succeeded or Failed: its containers will not run again. */
export function isPodFinished(pod: WithConditions): boolean {
  const phase = pod?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
