// batch/v1 Job and CronJob, with the fields the controllers read or write.
import type { Condition, KubeObject, LabelSelector } from './meta.js';
import type { PodTemplateSpec } from './pod.js';

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  completionMode?: 'NonIndexed' | 'Indexed';
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
  ttlSecondsAfterFinished?: number;
  manualSelector?: boolean;
  selector?: LabelSelector;
  template: PodTemplateSpec;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  successPolicy?: { rules: Array<{ succeededIndexes?: string; succeededCount?: number }> };
  podFailurePolicy?: {
    rules: Array<{
      action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';
      onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
      onPodConditions?: Array<{ type: string; status?: string }>;
    }>;
  };
}

export interface JobStatus {
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  startTime?: string;
  completionTime?: string;
  completedIndexes?: string;
  failedIndexes?: string;
  /** Finished pods whose finalizer is being removed: counted once it is gone. */
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  conditions?: Condition[];
}

export interface Job extends KubeObject<JobSpec, JobStatus> {
  spec: JobSpec;
}

export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: JobSpec };
}

export interface CronJobStatus {
  active?: Array<{ apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string; resourceVersion?: string }>;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronJob extends KubeObject<CronJobSpec, CronJobStatus> {
  spec: CronJobSpec;
}
