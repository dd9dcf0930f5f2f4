// The TTL-after-finished controller: a Job with ttlSecondsAfterFinished is deleted (its pods
// with it, in the foreground) that long after it completed or failed.
import { StatusError } from '../../api/status.js';
import type { Job } from '../../api/types/batch.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { finishedCondition } from './job/job.js';

const jobs = resource('batch/v1/jobs');

export class TTLAfterFinishedController extends Controller {
  private readonly jobs: Informer<Job>;

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    super('ttl-after-finished', ctx);
    this.jobs = ctx.informers.for<Job>('batch/v1/jobs');
    const consider = (j: Job) => j.spec?.ttlSecondsAfterFinished !== undefined && !j.metadata.deletionTimestamp && this.enqueue(j);
    this.jobs.addHandler({ add: consider, update: (_o, j) => consider(j) });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const job = this.jobs.get(key);
    const ttl = job?.spec?.ttlSecondsAfterFinished;
    if (!job || ttl === undefined || job.metadata.deletionTimestamp) return;
    const finished = finishedCondition(job);
    if (!finished) return;
    const at = Date.parse(job.status?.completionTime ?? finished.lastTransitionTime ?? '') || this.now();
    const left = at + ttl * 1000 - this.now();
    if (left > 0) return { requeueAfterMs: left + 50 };
    try {
      // Only the Job that expired: a new one of the same name is not this one.
      await this.ctx.client.delete(jobs, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion } });
      this.log.info({ job: key }, 'deleted a finished Job whose TTL expired');
    } catch (err) {
      // 409: it changed meanwhile (maybe its TTL); the update brings it back. 404: gone.
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
