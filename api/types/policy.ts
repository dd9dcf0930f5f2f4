// policy/v1 PodDisruptionBudget, with the fields the disruption controller and evictions use.
import type { Condition, KubeObject, LabelSelector } from './meta.js';

export interface PodDisruptionBudgetSpec {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  selector?: LabelSelector;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  conditions?: Condition[];
}

export interface PodDisruptionBudget extends KubeObject<PodDisruptionBudgetSpec, PodDisruptionBudgetStatus> {
  spec: PodDisruptionBudgetSpec;
}
