// The CronJob controller: creates a Job for each time the schedule comes round, as Kubernetes'
// (v2) controller does.
//  - The most recent missed time since lastScheduleTime (or creation) is the one run; more than
//    100 missed times is reported (TooManyMissedTimes); startingDeadlineSeconds bounds how far
//    back it looks, and a start later than that deadline is skipped.
//  - Jobs are named <cronjob>-<scheduled minutes since the epoch>, so a time runs once even
//    across restarts, and carry the batch.kubernetes.io/cronjob-scheduled-timestamp annotation.
//  - concurrencyPolicy: Allow runs alongside, Forbid skips while one is active, Replace deletes
//    the active ones first. suspend stops new runs.
//  - status.active lists running Jobs; lastScheduleTime and lastSuccessfulTime; finished Jobs
//    beyond successfulJobsHistoryLimit (3) / failedJobsHistoryLimit (1) are deleted, oldest first.
import { parseCronSchedule } from '../../../api/cron.js';
import { controllerRef, controllerRefTo } from '../../../api/owners.js';
import { isNamespaceTerminating, StatusError } from '../../../api/status.js';
import { rfc3339 } from '../../../api/time.js';
import type { CronJob, Job } from '../../../api/types/batch.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';
import { finishedCondition } from '../job/job.js';

const jobs = resource('batch/v1/jobs');
const cronjobs = resource('batch/v1/cronjobs');
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MAX_MISSED = 100;

/** The scheduled times due by `now`: the most recent one, how many were missed, and the next. */
export function dueTimes(schedule: { next(after: number): number | undefined }, earliest: number, now: number): { mostRecent?: number; missed: number; next?: number } {
  let mostRecent: number | undefined;
  let missed = 0;
  let t = schedule.next(earliest);
  while (t !== undefined && t <= now) {
    mostRecent = t;
    missed++;
    // Past the limit only the most recent matters: look back from now in growing windows
    // (a minute, an hour, a day, ...) instead of walking every missed time.
    if (missed > MAX_MISSED) {
      for (const window of [60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000]) {
        let u = schedule.next(Math.max(t, now - window));
        let found: number | undefined;
        while (u !== undefined && u <= now) {
          found = u;
          u = schedule.next(u);
        }
        if (found !== undefined) return { mostRecent: found, missed, next: u };
      }
      return { mostRecent, missed, next: schedule.next(now) };
    }
    t = schedule.next(t);
  }
  return { mostRecent, missed, next: t };
}

export class CronJobController extends Controller {
  private readonly cronjobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    super('cronjob', ctx);
    this.cronjobs = ctx.informers.for<CronJob>('batch/v1/cronjobs');
    this.jobs = ctx.informers.for<Job>('batch/v1/jobs');
    this.jobs.addIndexer('cronjob-owner', (j) => {
      const ref = controllerRef(j);
      return ref?.kind === 'CronJob' ? [ref.uid] : [];
    });
    this.cronjobs.addHandler({ add: (c) => this.enqueue(c), update: (_o, c) => this.enqueue(c) });
    const jobChanged = (j: Job) => {
      const ref = controllerRef(j);
      if (ref?.kind !== 'CronJob') return;
      const owner = this.cronjobs.get(`${j.metadata.namespace}/${ref.name}`);
      if (owner?.metadata.uid === ref.uid) this.enqueue(owner);
    };
    this.jobs.addHandler({ add: jobChanged, update: (_o, j) => jobChanged(j), delete: jobChanged });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.cronjobs.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const cj = structuredClone(cached);
    const now = this.now();
    const children = this.jobs.byIndex('cronjob-owner', cj.metadata.uid!);
    const status = structuredClone(cj.status ?? {});

    // What is running, and what finished.
    const running = children.filter((j) => !finishedCondition(j));
    status.active = running.map((j) => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: j.metadata.namespace, uid: j.metadata.uid, resourceVersion: j.metadata.resourceVersion }));
    for (const j of children) {
      const done = finishedCondition(j);
      if (done?.type === 'Complete' && j.status?.completionTime && (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime))) {
        status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    await this.cleanHistory(cj, children);

    let requeue: number | undefined;
    let schedule;
    try {
      schedule = parseCronSchedule(cj.spec.schedule, cj.spec.timeZone);
    } catch (err) {
      this.ctx.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`);
      await this.writeStatus(cj, status);
      return;
    }
    if (!cj.spec.suspend) {
      let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
      const deadline = cj.spec.startingDeadlineSeconds;
      if (deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
      // A schedule that parses but never fires (the 31st of February) is invalid, as Kubernetes
      // finds it: two schedules less than a second apart. Nothing more until the spec changes.
      if (schedule.next(earliest) === undefined) {
        this.ctx.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : time difference between two schedules is less than 1 second`);
        await this.writeStatus(cj, status);
        return;
      }
      const due = dueTimes(schedule, earliest, now);
      if (due.missed > MAX_MISSED) {
        this.ctx.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      }
      if (due.next !== undefined) requeue = due.next - now + 100;
      if (due.mostRecent !== undefined) {
        const tooLate = deadline !== undefined && due.mostRecent + deadline * 1000 < now;
        const name = `${cj.metadata.name}-${Math.floor(due.mostRecent / 60_000)}`;
        const already = children.some((j) => j.metadata.name === name);
        if (tooLate) {
          this.ctx.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(new Date(due.mostRecent))}`);
        } else if (!already) {
          const policy = cj.spec.concurrencyPolicy ?? 'Allow';
          if (policy === 'Forbid' && running.length > 0) {
            // Skipped: once the running one ends, the next scheduled time is considered.
          } else {
            if (policy === 'Replace') {
              for (const j of running) await this.deleteJob(cj, j, 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
              status.active = [];
            }
            const created = await this.createJob(cj, name, due.mostRecent);
            if (created) status.active = [...(status.active ?? []), { apiVersion: 'batch/v1', kind: 'Job', name: created.metadata.name, namespace: created.metadata.namespace, uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion }];
            status.lastScheduleTime = rfc3339(new Date(due.mostRecent));
          }
        }
      }
    }
    if (!status.active?.length) delete status.active;
    await this.writeStatus(cj, status);
    return requeue !== undefined ? { requeueAfterMs: Math.max(100, requeue) } : undefined;
  }

  private async createJob(cj: CronJob, name: string, scheduled: number): Promise<Job | undefined> {
    const template = cj.spec.jobTemplate;
    try {
      const job = await this.ctx.client.create<Job>(jobs, cj.metadata.namespace, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name,
          namespace: cj.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}) },
          annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339(new Date(scheduled)) },
          ownerReferences: [controllerRefTo(cj, 'batch/v1', 'CronJob')],
        },
        spec: structuredClone(template.spec),
      });
      this.ctx.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return job;
    } catch (err) {
      // Made already (by us, before a restart): nothing to do for this time.
      if (err instanceof StatusError && err.code === 409) return undefined;
      if (isNamespaceTerminating(err)) return undefined;
      this.ctx.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deleteJob(cj: CronJob, job: Job, reason: string, message: string): Promise<void> {
    try {
      await this.ctx.client.delete(jobs, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
      this.ctx.recorder.event(cj, 'Normal', reason, message);
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  /** Deletes the oldest finished Jobs beyond the history limits. */
  private async cleanHistory(cj: CronJob, children: Job[]): Promise<void> {
    const startOf = (j: Job) => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
    const finished = (type: string) => children.filter((j) => finishedCondition(j)?.type === type && !j.metadata.deletionTimestamp).sort((a, b) => startOf(a) - startOf(b));
    const trim = async (list: Job[], limit: number) => {
      for (const j of list.slice(0, Math.max(0, list.length - limit))) await this.deleteJob(cj, j, 'SawCompletedJob', `Saw completed job: ${j.metadata.name}`);
    };
    await trim(finished('Complete'), cj.spec.successfulJobsHistoryLimit ?? 3);
    await trim(finished('Failed'), cj.spec.failedJobsHistoryLimit ?? 1);
  }

  private async writeStatus(cj: CronJob, status: NonNullable<CronJob['status']>): Promise<void> {
    const comparable = (s: CronJob['status']) => JSON.stringify({ active: (s?.active ?? []).map((a) => a.uid), last: s?.lastScheduleTime, ok: s?.lastSuccessfulTime });
    if (comparable(status) === comparable(cj.status)) return;
    try {
      await this.ctx.client.request('PUT', this.ctx.client.path(cronjobs, cj.metadata.namespace, cj.metadata.name!, 'status'), { body: { ...cj, status } });
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
      // 409: the CronJob changed meanwhile; its update event brings it back.
    }
  }
}
