// The Job controller: runs a Job's pods to completion, as Kubernetes' does.
//  - Keeps min(parallelism, what is left to complete) pods active; Indexed Jobs give each pod
//    an index (annotation and label, JOB_COMPLETION_INDEX, hostname <job>-<index>).
//  - Counts every finished pod exactly once, across controller restarts: pods carry the
//    batch.kubernetes.io/job-tracking finalizer; a finished pod's uid goes to
//    status.uncountedTerminatedPods first, then its finalizer is removed, then it is counted.
//  - Fails the Job when more pods failed than backoffLimit, or it ran past
//    activeDeadlineSeconds (FailureTarget, active pods deleted, then Failed); succeeds when
//    enough pods succeeded (SuccessCriteriaMet, leftover pods deleted, then Complete).
//  - Re-creates failed pods after an exponential back-off (10 s doubling, at most 6 minutes).
//  - suspend deletes the active pods and resumes later with a new startTime.
import { fromLabelSelector, matches } from '../../../api/labels.js';
import { isNamespaceTerminating, StatusError } from '../../../api/status.js';
import { rfc3339 } from '../../../api/time.js';
import { controllerRef, controllerRefTo } from '../../../api/owners.js';
import type { Job } from '../../../api/types/batch.js';
import type { Condition } from '../../../api/types/meta.js';
import type { Container, Pod } from '../../../api/types/pod.js';
import type { Informer } from '../../../client/informer.js';
import { objectKey } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';
import { Expectations } from '../../framework/expectations.js';
import { BURST, deleteOwnedPods, slowStartBatch } from '../../framework/pod-control.js';
import { deletionOrder, isReady } from '../pod-util.js';
import { IndexSet } from './indexes.js';
import { decide } from './pod-failure-policy.js';

const pods = resource('v1/pods');
const jobs = resource('batch/v1/jobs');
export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
const INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';

/** A successPolicy rule: the listed indexes (or, with succeededCount, that many of them / of all) succeeded. */
export function successRuleMet(rule: { succeededIndexes?: string; succeededCount?: number }, completed: IndexSet, completions: number): boolean {
  if (rule.succeededIndexes !== undefined) {
    const wanted = IndexSet.parse(rule.succeededIndexes, completions);
    const done = wanted.countCommon(completed);
    return rule.succeededCount !== undefined ? done >= rule.succeededCount : done === wanted.size && wanted.size > 0;
  }
  return rule.succeededCount !== undefined && completed.size >= rule.succeededCount;
}
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;
/** After refused pod creates (quota, admission), the next try waits 1 s, 2 s, 4 s, ... at most 1 min, as Kubernetes' Job API back-off does. */
const CREATE_RETRY_BASE_MS = 1000;
const CREATE_RETRY_MAX_MS = 60_000;

export interface JobClock {
  now(): number;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** A pod that will not run on: finished, or being deleted (which counts as a failure unless it succeeded). */
const isFinishedOrGoing = (p: Pod) => isTerminal(p) || !!p.metadata.deletionTimestamp;
const succeeded = (p: Pod) => p.status?.phase === 'Succeeded';
const hasFinalizer = (p: Pod) => (p.metadata.finalizers ?? []).includes(TRACKING_FINALIZER);
const indexOf = (p: Pod): number | undefined => {
  const v = p.metadata.annotations?.[INDEX_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};

export function finishedCondition(job: Job): Condition | undefined {
  return (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function setCondition(conditions: Condition[], type: string, status: 'True' | 'False', reason: string, message: string, now: string): Condition[] {
  const prior = conditions.find((c) => c.type === type);
  if (prior && prior.status === status && prior.reason === reason) return conditions;
  const next: Condition = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: prior && prior.status === status ? (prior.lastTransitionTime ?? now) : now };
  return [...conditions.filter((c) => c.type !== type), next];
}

export class JobController extends Controller {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly expectations = new Expectations();
  /** Failures per index of Jobs with backoffLimitPerIndex, as last counted. */
  private readonly indexFailures = new Map<string, Map<number, number>>();
  /** When each Job last saw a pod fail, for the back-off before the next pod. */
  private readonly lastFailure = new Map<string, { at: number; count: number }>();
  /** Each Job's pod creates refused in a row. */
  private readonly refusedCreates = new Map<string, number>();

  constructor(
    ctx: ControllerContext,
    private readonly clock: JobClock = { now: Date.now },
  ) {
    super('job', ctx);
    this.jobs = ctx.informers.for<Job>('batch/v1/jobs');
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.pods.addIndexer('job-owner', (p) => {
      const ref = controllerRef(p);
      return ref?.kind === 'Job' ? [ref.uid] : [];
    });
    this.jobs.addHandler({
      add: (j) => this.enqueue(j),
      update: (_o, j) => this.enqueue(j),
      delete: (j) => {
        this.expectations.forget(objectKey(j));
        this.lastFailure.delete(objectKey(j));
        this.refusedCreates.delete(objectKey(j));
      },
    });
    const podChanged = (p: Pod, kind: 'add' | 'update' | 'delete', old?: Pod) => {
      const job = this.ownerOf(p);
      if (job) {
        const key = objectKey(job);
        if (kind === 'add') this.expectations.creationObserved(key);
        if (kind === 'delete' || (p.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp)) this.expectations.deletionObserved(key, p.metadata.uid!);
        this.enqueue(job);
      } else if (kind !== 'delete' && hasFinalizer(p) && controllerRef(p)?.kind === 'Job') {
        // Its Job is gone (or not yet in the cache): the pod must not be held by our finalizer.
        this.queue.add(`orphan:${p.metadata.namespace}/${p.metadata.name}`);
      }
    };
    this.pods.addHandler({ add: (p) => podChanged(p, 'add'), update: (o, p) => podChanged(p, 'update', o), delete: (p) => podChanged(p, 'delete') });
  }

  private ownerOf(pod: Pod): Job | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(`${pod.metadata.namespace}/${ref.name}`);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith('orphan:')) return this.releaseOrphan(key.slice('orphan:'.length));
    const job = this.jobs.get(key);
    if (!job) {
      this.expectations.forget(key);
      return;
    }
    const owned = this.pods.byIndex('job-owner', job.metadata.uid!);
    const selector = fromLabelSelector(job.spec.selector);
    const mine = owned.filter((p) => matches(selector, p.metadata.labels) || hasFinalizer(p));

    // Finished Jobs, and Jobs being deleted, only let go of their pods.
    if (finishedCondition(job) || job.metadata.deletionTimestamp) {
      await this.removeFinalizers(mine.filter(hasFinalizer));
      return;
    }
    if (!this.expectations.satisfied(key)) return;
    // A private copy: the cache's objects are never changed.
    return this.sync(key, structuredClone(job), mine);
  }

  private async sync(key: string, job: Job, mine: Pod[]): Promise<ReconcileResult> {
    const nowMs = this.clock.now();
    const now = rfc3339(new Date(nowMs));
    const spec = job.spec;
    const status = structuredClone(job.status ?? {});
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? null;
    const backoffLimit = spec.backoffLimit ?? 6;
    let conditions = status.conditions ?? [];
    const conditionsBefore = conditions;

    // 1. Count pods that finished since the last sync, once: uncounted first, finalizer off, then counted.
    const uncounted = { succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods?.failed ?? []) };
    const completed = indexed ? IndexSet.parse(status.completedIndexes, completions ?? 0) : new IndexSet();
    const rules = spec.podFailurePolicy?.rules;
    // podReplacementPolicy Failed (the default with a podFailurePolicy): a pod being deleted is
    // counted once it has ended (its kubelet, or PodGC, says Failed or Succeeded), so the
    // policy's rules see how it ended; otherwise deletion itself counts as a failure.
    const replaceOnlyFailed = (spec.podReplacementPolicy ?? (spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed')) === 'Failed';
    const hasEnded = replaceOnlyFailed ? isTerminal : isFinishedOrGoing;
    const finishedNow = mine.filter((p) => hasFinalizer(p) && hasEnded(p) && !uncounted.succeeded.has(p.metadata.uid!) && !uncounted.failed.has(p.metadata.uid!));
    // podFailurePolicy Ignore: such a failure is let go without being counted.
    const ignored = finishedNow.filter((p) => p.status?.phase === 'Failed' && decide(rules, p)?.action === 'Ignore');
    await this.removeFinalizers(ignored);
    const newlyFinished = finishedNow.filter((p) => !ignored.includes(p));
    if (newlyFinished.length) {
      for (const p of newlyFinished) {
        (succeeded(p) ? uncounted.succeeded : uncounted.failed).add(p.metadata.uid!);
        // An index is recorded with its pod's uid: adding it again later changes nothing.
        const index = indexOf(p);
        if (indexed && succeeded(p) && index !== undefined && index < (completions ?? 0)) completed.add(index);
      }
      status.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
      if (indexed) status.completedIndexes = completed.format();
      await this.writeStatus(job, status);
    }
    await this.removeFinalizers(mine.filter((p) => hasFinalizer(p) && (uncounted.succeeded.has(p.metadata.uid!) || uncounted.failed.has(p.metadata.uid!))));
    const byUid = new Map(mine.map((p) => [p.metadata.uid!, p]));
    for (const uid of uncounted.succeeded) {
      const p = byUid.get(uid);
      const index = p ? indexOf(p) : undefined;
      if (indexed) {
        if (index !== undefined && index < (completions ?? 0)) completed.add(index);
      } else status.succeeded = (status.succeeded ?? 0) + 1;
    }
    const newFailures = uncounted.failed.size;
    status.failed = (status.failed ?? 0) + newFailures;
    // podFailurePolicy FailJob: the first counted failure that matches such a rule ends the Job.
    let failJob: string | undefined;
    for (const uid of uncounted.failed) {
      const p = byUid.get(uid);
      const d = p && p.status?.phase === 'Failed' ? decide(rules, p) : undefined;
      if (d?.action === 'FailJob') {
        failJob = d.message;
        break;
      }
    }
    if (indexed) {
      status.succeeded = completed.size;
      status.completedIndexes = completed.format();
    }
    // backoffLimitPerIndex: an index whose pods failed more often than that is given up (as is
    // one a FailIndex rule names); its failures are counted from its failed pods.
    const perIndex = indexed && spec.backoffLimitPerIndex !== undefined;
    const failedIndexes = perIndex ? IndexSet.parse(status.failedIndexes, completions ?? 0) : new IndexSet();
    if (perIndex) {
      const failuresOf = new Map<number, number>();
      for (const p of mine) {
        const i = indexOf(p);
        if (i === undefined || p.status?.phase !== 'Failed' || decide(rules, p)?.action === 'Ignore') continue;
        failuresOf.set(i, (failuresOf.get(i) ?? 0) + 1);
        if (decide(rules, p)?.action === 'FailIndex') failedIndexes.add(i);
      }
      for (const [i, n] of failuresOf) if (n > spec.backoffLimitPerIndex! && !completed.has(i)) failedIndexes.add(i);
      status.failedIndexes = failedIndexes.format();
      this.indexFailures.set(key, failuresOf);
    }
    // Counted: none left uncounted, which Kubernetes' Job status shows as an empty struct.
    status.uncountedTerminatedPods = {};
    // Consecutive failures set the back-off; a success resets it.
    if (newFailures) {
      const prior = this.lastFailure.get(key);
      this.lastFailure.set(key, { at: nowMs, count: (prior?.count ?? 0) + newFailures });
    } else if (uncounted.succeeded.size) this.lastFailure.delete(key);

    const active = mine.filter((p) => !isFinishedOrGoing(p));
    const terminating = mine.filter((p) => !!p.metadata.deletionTimestamp && !isTerminal(p));
    let requeue: number | undefined;

    // 2. Suspension.
    if (spec.suspend) {
      await this.deletePods(key, job, active);
      conditions = setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      delete status.startTime;
    } else {
      if ((conditions.find((c) => c.type === 'Suspended')?.status ?? 'False') === 'True') {
        conditions = setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      }
      status.startTime ??= now;
    }

    // 3. Has it failed or succeeded?
    const failedTarget = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
    const successMet = conditions.find((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True');
    if (!spec.suspend && !failedTarget && !successMet) {
      const deadline = spec.activeDeadlineSeconds !== undefined && status.startTime ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
      const succeededEnough = indexed
        ? completed.size >= (completions ?? 0)
        : completions === null
          ? (status.succeeded ?? 0) > 0 && active.length === 0
          : (status.succeeded ?? 0) >= completions;
      const allIndexesDone = perIndex && completed.size + failedIndexes.size >= (completions ?? 0);
      const successRule = indexed ? (spec.successPolicy?.rules ?? []).findIndex((r) => successRuleMet(r, completed, completions ?? 0)) : -1;
      if (failJob) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', 'PodFailurePolicy', failJob, now);
      } else if (perIndex && spec.maxFailedIndexes !== undefined && failedIndexes.size > spec.maxFailedIndexes) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
      } else if (allIndexesDone && failedIndexes.size > 0) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', 'FailedIndexes', 'Job has failed indexes', now);
      } else if (successRule >= 0) {
        conditions = setCondition(conditions, 'SuccessCriteriaMet', 'True', 'SuccessPolicy', `Matched rules at index ${successRule}`, now);
      } else if (!perIndex && (status.failed ?? 0) > backoffLimit) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (deadline !== undefined && nowMs >= deadline) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (succeededEnough) {
        conditions = setCondition(conditions, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (deadline !== undefined) {
        requeue = deadline - nowMs + 50;
      }
    }
    const failing = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
    const succeeding = conditions.find((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True');

    if (failing || succeeding) {
      // Finish: no pod may go on; the Job's last condition waits until none is left running.
      await this.deletePods(key, job, active);
      if (active.length === 0 && terminating.length === 0) {
        if (failing) conditions = setCondition(conditions, 'Failed', 'True', failing.reason!, failing.message!, now);
        else {
          conditions = setCondition(conditions, 'Complete', 'True', succeeding!.reason!, succeeding!.message!, now);
          status.completionTime = now;
        }
      }
    } else if (!spec.suspend) {
      // podReplacementPolicy Failed (the default with a podFailurePolicy): a terminating pod
      // is replaced only once it has finished, so it still holds its place.
      requeue = (await this.manage(key, job, replaceOnlyFailed ? [...active, ...terminating] : active, completed, status, nowMs)) ?? requeue;
    }

    status.active = failing || succeeding || spec.suspend ? 0 : active.length;
    status.ready = active.filter(isReady).length;
    status.terminating = terminating.length;
    status.succeeded ??= 0;
    status.failed ??= 0;
    if (conditions.length) status.conditions = conditions;
    await this.writeStatus(job, status);
    this.announce(job, conditionsBefore, conditions);
    return requeue !== undefined ? { requeueAfterMs: Math.max(50, requeue) } : undefined;
  }

  /** Creates or deletes pods toward the wanted number; returns when to look again (back-off). */
  private async manage(key: string, job: Job, active: Pod[], completed: IndexSet, status: NonNullable<Job['status']>, nowMs: number): Promise<number | undefined> {
    const parallelism = job.spec.parallelism ?? 1;
    const completions = job.spec.completions ?? null;
    const indexed = job.spec.completionMode === 'Indexed';
    let want: number;
    let toCreate: Array<number | undefined> = [];
    if (indexed) {
      const running = IndexSet.of(active.map(indexOf).filter((i): i is number => i !== undefined));
      const given = IndexSet.parse(status.failedIndexes, completions ?? 0);
      const pending = IndexSet.firstMissing(completions ?? 0, [completed, running, given], Math.max(0, parallelism - running.size));
      want = Math.min(parallelism, (completions ?? 0) - completed.size - given.size);
      toCreate = pending.slice(0, Math.min(BURST, Math.max(0, want - active.length)));
    } else {
      const remaining = completions === null ? ((status.succeeded ?? 0) > 0 ? 0 : parallelism) : completions - (status.succeeded ?? 0);
      want = Math.max(0, Math.min(parallelism, remaining));
      // At most BURST a pass, as Kubernetes: a parallelism of a billion must not be a billion promises.
      toCreate = Array.from({ length: Math.min(BURST, Math.max(0, want - active.length)) }, () => undefined);
    }
    if (active.length > want) {
      const extra = [...active].sort(deletionOrder).slice(0, active.length - want);
      await this.deletePods(key, job, extra);
      return undefined;
    }
    if (!toCreate.length) return undefined;
    // After failures, wait before creating replacements: 10 s, 20 s, 40 s, ... at most 6 minutes.
    const failures = this.lastFailure.get(key);
    if (failures && failures.count > 0) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failures.count - 1), BACKOFF_MAX_MS);
      const wait = failures.at + delay - nowMs;
      if (wait > 0) return wait + 50;
    }
    this.expectations.expectCreations(key, toCreate.length);
    // In batches of 1, 2, 4, ... as Kubernetes: a template every create is refused costs one request, not hundreds.
    const queue = [...toCreate];
    const result = await slowStartBatch(toCreate.length, () => this.createPod(job, queue.shift()));
    const failed = toCreate.length - result.done;
    if (result.error) {
      this.expectations.creationSkipped(key, failed);
      const refused = (this.refusedCreates.get(key) ?? 0) + 1;
      this.refusedCreates.set(key, refused);
      return Math.min(CREATE_RETRY_BASE_MS * 2 ** (refused - 1), CREATE_RETRY_MAX_MS);
    }
    this.refusedCreates.delete(key);
    return undefined;
  }

  private async createPod(job: Job, index: number | undefined): Promise<void> {
    const template = job.spec.template;
    const spec = structuredClone(template?.spec ?? { containers: [] });
    const annotations: Record<string, string> = { ...(template?.metadata?.annotations ?? {}) };
    const labels: Record<string, string> = { ...(template?.metadata?.labels ?? {}) };
    const name = job.metadata.name!;
    if (index !== undefined) {
      annotations[INDEX_ANNOTATION] = String(index);
      const failures = this.indexFailures.get(objectKey(job))?.get(index);
      if (job.spec.backoffLimitPerIndex !== undefined) annotations[INDEX_FAILURE_COUNT] = String(failures ?? 0);
      labels[INDEX_ANNOTATION] = String(index);
      spec.hostname ??= `${name}-${index}`;
      const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_ANNOTATION}']` } } };
      for (const c of [...(spec.initContainers ?? []), ...spec.containers] as Container[]) {
        if (!(c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) c.env = [...(c.env ?? []), env];
      }
    }
    try {
      const created = await this.ctx.client.create<Pod>(pods, job.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: index !== undefined ? `${name}-${index}-` : `${name}-`,
          namespace: job.metadata.namespace,
          labels,
          annotations,
          finalizers: [...(template?.metadata?.finalizers ?? []), TRACKING_FINALIZER],
          ownerReferences: [controllerRefTo(job, 'batch/v1', 'Job')],
        },
        spec,
      });
      this.ctx.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      // A namespace being deleted refuses every create: nothing to report or retry.
      if (isNamespaceTerminating(err)) return;
      this.ctx.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePods(key: string, job: Job, victims: Pod[]): Promise<void> {
    await deleteOwnedPods(this.ctx, this.expectations, key, job, victims, (p) => `Deleted pod: ${p.metadata.name}`);
  }

  private async removeFinalizers(victims: Pod[]): Promise<void> {
    await Promise.all(
      victims.map(async (p) => {
        const finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER);
        try {
          await this.ctx.client.patch(pods, p.metadata.namespace, p.metadata.name!, { metadata: { uid: p.metadata.uid, finalizers: finalizers.length ? finalizers : null } }, 'merge');
        } catch (err) {
          if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
        }
      }),
    );
  }

  /** A pod holding our finalizer whose Job no longer exists: let it go. */
  private async releaseOrphan(podKey: string): Promise<ReconcileResult> {
    const pod = this.pods.get(podKey);
    if (!pod || !hasFinalizer(pod)) return;
    const ref = controllerRef(pod)!;
    // The cache may not show a Job created a moment ago: ask the apiserver before letting go.
    try {
      const job = await this.ctx.client.get<Job>(jobs, pod.metadata.namespace, ref.name);
      if (job.metadata.uid === ref.uid && !job.metadata.deletionTimestamp) return { requeueAfterMs: 1000 };
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    await this.removeFinalizers([pod]);
  }

  /** The Events Kubernetes' job controller records once the status that changed a condition is stored. */
  private announce(job: Job, before: Condition[], after: Condition[]): void {
    const holds = (conds: Condition[], type: string, status: string) => conds.some((c) => c.type === type && c.status === status);
    const became = (type: string, status: string) => holds(after, type, status) && !holds(before, type, status);
    const events = this.ctx.recorder;
    if (became('Suspended', 'True')) events.event(job, 'Normal', 'Suspended', 'Job suspended');
    else if (became('Suspended', 'False')) events.event(job, 'Normal', 'Resumed', 'Job resumed');
    if (became('Complete', 'True')) {
      const completions = job.spec.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        events.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      events.event(job, 'Normal', 'Completed', 'Job completed');
    } else if (became('Failed', 'True')) {
      const failed = after.find((c) => c.type === 'Failed' && c.status === 'True')!;
      events.event(job, 'Warning', failed.reason ?? 'Failed', failed.message ?? '');
    }
  }

  private async writeStatus(job: Job, status: NonNullable<Job['status']>): Promise<void> {
    const path = this.ctx.client.path(jobs, job.metadata.namespace, job.metadata.name!, 'status');
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return;
    const written = await this.ctx.client.request<Job>('PUT', path, { body: { ...structuredClone(job), status } });
    // Later writes in this sync build on what was stored.
    job.metadata.resourceVersion = written.metadata.resourceVersion;
    job.status = written.status;
  }
}
