// Job reconcile against seeded caches and a fake client, with an injected clock.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../api/types/batch.js';
import { StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { resource } from '../../../client/rest.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { JobController, TRACKING_FINALIZER } from './job.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function setup(now = T0) {
  const w = fakeWorld();
  const clock = { t: now, now: () => clock.t };
  return { w, clock, controller: new JobController(w.ctx, clock) };
}

const job = (spec: Partial<Job['spec']> = {}, status: Job['status'] = {}, resourceVersion = '1'): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid', resourceVersion },
  spec: {
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
    template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
  status,
});

const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true };
const pod = (name: string, phase: string, extra: { index?: number; finalizer?: boolean; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
    uid: `${name}-uid`,
    labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' },
    ownerReferences: [ref],
    ...(extra.finalizer === false ? {} : { finalizers: [TRACKING_FINALIZER] }),
    ...(extra.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(extra.index) } } : {}),
    ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase },
});

const lastStatus = (w: ReturnType<typeof fakeWorld>) => {
  const writes = w.client.writes('jobs');
  return (writes[writes.length - 1]!.body as Job).status!;
};

/** The Events written so far (they are written in the background), as [type, reason, message]. */
const recorded = async (w: ReturnType<typeof fakeWorld>) => {
  await new Promise((r) => setTimeout(r, 5));
  return w.client.writes('events').map((a) => a.body as { type: string; reason: string; message: string }).map((e) => [e.type, e.reason, e.message]);
};

describe('Job reconcile', () => {
  it('creates parallelism pods, tracked by finalizer and owned by the Job, and sets startTime', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ parallelism: 2, completions: 5 }));
    w.seed('v1/pods');
    await controller.reconcile('ns/pi');
    const creates = w.client.writes('pods');
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatchObject({ verb: 'create', body: { metadata: { generateName: 'pi-', finalizers: [TRACKING_FINALIZER], ownerReferences: [ref] } } });
    expect(lastStatus(w)).toMatchObject({ startTime: '2026-01-01T00:00:00Z', active: 0, succeeded: 0, failed: 0 });
  });

  it('creates at most 500 pods a pass, in batches that stop at the first refusal (a parallelism of two billion must not exhaust memory)', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ parallelism: 2 ** 31 - 1, completions: 2 ** 31 - 1 }));
    w.seed('v1/pods');
    await controller.reconcile('ns/pi');
    expect(w.client.writes('pods')).toHaveLength(500);

    const refused = setup();
    refused.w.seed('batch/v1/jobs', job({ parallelism: 100 }));
    refused.w.seed('v1/pods');
    refused.w.client.failWhen({ verb: 'create', resource: 'pods' }, new StatusError(403, 'Forbidden', 'exceeded quota'));
    await refused.controller.reconcile('ns/pi');
    expect(refused.w.client.writes('pods')).toHaveLength(1); // the first batch, of one, was refused: nothing more tried
  });

  it('counts a finished pod once: uncounted first, finalizer removed, then succeeded; Complete when enough succeeded', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ completions: 1 }, { startTime: '2026-01-01T00:00:00Z' }));
    w.seed('v1/pods', pod('pi-a', 'Succeeded'));
    await controller.reconcile('ns/pi');
    const jobWrites = w.client.writes('jobs').map((a) => (a.body as Job).status);
    expect(jobWrites[0]!.uncountedTerminatedPods).toEqual({ succeeded: ['pi-a-uid'], failed: [] });
    expect(w.client.writes('pods')).toEqual([expect.objectContaining({ verb: 'patch', name: 'pi-a', body: { metadata: { uid: 'pi-a-uid', finalizers: null } } })]);
    const final = jobWrites[jobWrites.length - 1]!;
    expect(final.succeeded).toBe(1);
    expect(final.uncountedTerminatedPods).toEqual({});
    expect(final.completionTime).toBe('2026-01-01T00:00:00Z');
    expect(final.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(await recorded(w)).toEqual([['Normal', 'Completed', 'Job completed']]);
  });

  it('after a restart counts pods already in uncountedTerminatedPods without counting them twice', async () => {
    const { w, controller } = setup();
    // The finalizer is already off (the last controller got that far), the uid still listed.
    w.seed('batch/v1/jobs', job({ completions: 3, parallelism: 1 }, { startTime: '2026-01-01T00:00:00Z', succeeded: 1, uncountedTerminatedPods: { succeeded: ['pi-b-uid'] } }));
    w.seed('v1/pods', pod('pi-b', 'Succeeded', { finalizer: false }));
    await controller.reconcile('ns/pi');
    expect(lastStatus(w)).toMatchObject({ succeeded: 2 });
    expect(w.client.writes('pods').filter((a) => a.verb === 'create')).toHaveLength(1);
  });

  it('fails the Job past backoffLimit: FailureTarget, active pods deleted, then Failed once none runs', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ backoffLimit: 1, parallelism: 2, completions: 4 }, { startTime: '2026-01-01T00:00:00Z', failed: 1 }));
    w.seed('v1/pods', pod('pi-x', 'Failed'), pod('pi-run', 'Running'));
    await controller.reconcile('ns/pi');
    expect(w.client.writes('pods').filter((a) => a.verb === 'delete').map((a) => a.name)).toEqual(['pi-run']);
    const status = lastStatus(w);
    expect(status.failed).toBe(2);
    expect(status.conditions!.map((c) => c.type)).toEqual(['FailureTarget']);
    expect((await recorded(w)).filter(([, reason]) => reason !== 'SuccessfulDelete')).toEqual([]);
    // Next time round the running pod is gone: Failed.
    w.seed('batch/v1/jobs', job({ backoffLimit: 1 }, status, '2'));
    w.seed('v1/pods');
    await controller.reconcile('ns/pi');
    expect(lastStatus(w).conditions!.map((c) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect((await recorded(w)).filter(([, reason]) => reason !== 'SuccessfulDelete')).toEqual([['Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']]);
  });

  it('waits 10 s after a failure before creating the replacement', async () => {
    const { w, controller, clock } = setup();
    w.seed('batch/v1/jobs', job({ completions: 1, backoffLimit: 6 }, { startTime: '2026-01-01T00:00:00Z' }));
    w.seed('v1/pods', pod('pi-f1', 'Failed'));
    expect(await controller.reconcile('ns/pi')).toEqual({ requeueAfterMs: 10_050 });
    expect(w.client.writes('pods').filter((a) => a.verb === 'create')).toHaveLength(0);
    clock.t += 10_001;
    w.seed('batch/v1/jobs', job({ completions: 1, backoffLimit: 6 }, { startTime: '2026-01-01T00:00:00Z', failed: 1 }, '2'));
    w.seed('v1/pods', { ...pod('pi-f1', 'Failed', { finalizer: false }), metadata: { ...pod('pi-f1', 'Failed', { finalizer: false }).metadata, resourceVersion: '2' } });
    await controller.reconcile('ns/pi');
    expect(w.client.writes('pods').filter((a) => a.verb === 'create')).toHaveLength(1);
  });

  it('retries refused pod creates after 1 s, 2 s, 4 s, ... at most a minute', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ completions: 1 }, { startTime: '2026-01-01T00:00:00Z' }));
    w.seed('v1/pods');
    w.client.failWhen({ verb: 'create', resource: 'pods' }, new StatusError(403, 'Forbidden', 'pods "pi-" is forbidden: exceeded quota: q'), 8);
    // Each pass sees the Job as the last one wrote it.
    const pass = async () => {
      const result = await controller.reconcile('ns/pi');
      w.seed('batch/v1/jobs', await w.client.get<Job>(resource('batch/v1/jobs'), 'ns', 'pi'));
      return result;
    };
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) delays.push(((await pass()) as { requeueAfterMs: number }).requeueAfterMs);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(await pass()).toBeUndefined();
    expect(w.client.writes('pods').filter((a) => a.verb === 'create')).toHaveLength(9);
  });

  it('Indexed: one pod per pending index with its hostname, annotation and JOB_COMPLETION_INDEX; completedIndexes as ranges', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ completionMode: 'Indexed', completions: 5, parallelism: 3 }, { startTime: '2026-01-01T00:00:00Z', completedIndexes: '0', succeeded: 1 }));
    w.seed('v1/pods', pod('pi-1-a', 'Succeeded', { index: 1 }), pod('pi-2-a', 'Running', { index: 2 }));
    await controller.reconcile('ns/pi');
    const created = w.client.writes('pods').filter((a) => a.verb === 'create').map((a) => a.body as KubeObject);
    expect(created.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index']).sort()).toEqual(['3', '4']);
    expect(created[0]).toMatchObject({ metadata: { generateName: expect.stringMatching(/^pi-[34]-$/) }, spec: { hostname: expect.stringMatching(/^pi-[34]$/) } });
    expect(created[0]!.spec.containers[0].env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    expect(lastStatus(w)).toMatchObject({ completedIndexes: '0,1', succeeded: 2 });
  });

  it('suspends (pods deleted, Suspended) and fails at activeDeadlineSeconds', async () => {
    const s = setup();
    s.w.seed('batch/v1/jobs', job({ suspend: true }, { startTime: '2026-01-01T00:00:00Z' }));
    s.w.seed('v1/pods', pod('pi-a', 'Running'));
    await s.controller.reconcile('ns/pi');
    expect(s.w.client.writes('pods').map((a) => a.verb)).toEqual(['delete']);
    expect(lastStatus(s.w)).toMatchObject({ active: 0, conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended' }] });
    expect(lastStatus(s.w).startTime).toBeUndefined();
    expect((await recorded(s.w)).filter(([, reason]) => reason !== 'SuccessfulDelete')).toEqual([['Normal', 'Suspended', 'Job suspended']]);
    // Resumed: the condition turns False and the Job says so once.
    s.w.seed('batch/v1/jobs', job({ suspend: false }, lastStatus(s.w), '2'));
    s.w.seed('v1/pods');
    await s.controller.reconcile('ns/pi');
    expect(lastStatus(s.w).conditions).toEqual([expect.objectContaining({ type: 'Suspended', status: 'False', reason: 'JobResumed' })]);
    expect((await recorded(s.w)).filter(([, reason]) => reason === 'Resumed')).toEqual([['Normal', 'Resumed', 'Job resumed']]);

    const d = setup(T0 + 30_000);
    d.w.seed('batch/v1/jobs', job({ activeDeadlineSeconds: 30 }, { startTime: '2026-01-01T00:00:00Z' }));
    d.w.seed('v1/pods');
    await d.controller.reconcile('ns/pi');
    expect(lastStatus(d.w).conditions!.map((c) => [c.type, c.reason])).toEqual([['FailureTarget', 'DeadlineExceeded'], ['Failed', 'DeadlineExceeded']]);
    expect(await recorded(d.w)).toEqual([['Warning', 'DeadlineExceeded', 'Job was active longer than specified deadline']]);
  });

  it('lets go of the pods of a finished Job', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({}, { conditions: [{ type: 'Complete', status: 'True' }] }));
    w.seed('v1/pods', pod('pi-a', 'Succeeded'));
    await controller.reconcile('ns/pi');
    expect(w.client.writes().map((a) => [a.verb, a.resource])).toEqual([['patch', 'pods']]);
  });

  it('podFailurePolicy: an exit code in a FailJob rule fails the Job at once; an Ignore rule leaves the failure uncounted', async () => {
    const exited = (name: string, code: number): KubeObject => {
      const p = pod(name, 'Failed');
      return { ...p, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: code } } }] } };
    };
    const policy = { rules: [{ action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [42] } }, { action: 'Ignore' as const, onExitCodes: { operator: 'In' as const, values: [7] } }] };
    const fail = setup();
    fail.w.seed('batch/v1/jobs', job({ backoffLimit: 6, podFailurePolicy: policy }, { startTime: '2026-01-01T00:00:00Z' }));
    fail.w.seed('v1/pods', exited('pi-x', 42));
    await fail.controller.reconcile('ns/pi');
    expect(lastStatus(fail.w).conditions!.map((c) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'PodFailurePolicy', 'Container c for pod ns/pi-x failed with exit code 42 matching FailJob rule at index 0'],
      ['Failed', 'PodFailurePolicy', 'Container c for pod ns/pi-x failed with exit code 42 matching FailJob rule at index 0'],
    ]);

    const ignore = setup();
    ignore.w.seed('batch/v1/jobs', job({ backoffLimit: 0, podFailurePolicy: policy }, { startTime: '2026-01-01T00:00:00Z' }));
    ignore.w.seed('v1/pods', exited('pi-y', 7));
    await ignore.controller.reconcile('ns/pi');
    expect(lastStatus(ignore.w)).toMatchObject({ failed: 0 });
    expect(lastStatus(ignore.w).conditions ?? []).toEqual([]);
    // Its finalizer is removed and a replacement created at once (no back-off for an ignored failure).
    expect(ignore.w.client.writes('pods').map((a) => a.verb)).toEqual(['patch', 'create']);
  });

  it('backoffLimitPerIndex: an index that failed too often is given up, the rest run on, and the Job fails with FailedIndexes', async () => {
    const failedAt = (name: string, index: number) => pod(name, 'Failed', { index, finalizer: false });
    const spec = { completionMode: 'Indexed' as const, completions: 3, parallelism: 3, backoffLimitPerIndex: 1 };
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job(spec, { startTime: '2026-01-01T00:00:00Z', completedIndexes: '0', succeeded: 1, failed: 2 }));
    w.seed('v1/pods', failedAt('pi-1-a', 1), failedAt('pi-1-b', 1), pod('pi-2-a', 'Running', { index: 2 }));
    await controller.reconcile('ns/pi');
    expect(lastStatus(w)).toMatchObject({ failedIndexes: '1', completedIndexes: '0' });
    expect(w.client.writes('pods').filter((a) => a.verb === 'create')).toEqual([]); // index 1 is not retried
    const done = setup();
    done.w.seed('batch/v1/jobs', job(spec, { startTime: '2026-01-01T00:00:00Z', completedIndexes: '0,2', succeeded: 2, failed: 2, failedIndexes: '1' }));
    done.w.seed('v1/pods', failedAt('pi-1-a', 1), failedAt('pi-1-b', 1));
    await done.controller.reconcile('ns/pi');
    expect(lastStatus(done.w).conditions!.map((c) => [c.type, c.reason])).toEqual([['FailureTarget', 'FailedIndexes'], ['Failed', 'FailedIndexes']]);
  });

  it('successPolicy: the Job succeeds once the listed indexes have, and the pods still running are removed', async () => {
    const { w, controller } = setup();
    w.seed('batch/v1/jobs', job({ completionMode: 'Indexed', completions: 5, parallelism: 5, successPolicy: { rules: [{ succeededIndexes: '0-1' }] } }, { startTime: '2026-01-01T00:00:00Z', completedIndexes: '0', succeeded: 1 }));
    w.seed('v1/pods', pod('pi-1-a', 'Succeeded', { index: 1 }), pod('pi-2-a', 'Running', { index: 2 }));
    await controller.reconcile('ns/pi');
    expect(w.client.writes('pods').filter((a) => a.verb === 'delete').map((a) => a.name)).toEqual(['pi-2-a']);
    expect(lastStatus(w).conditions!.map((c) => [c.type, c.reason, c.message])).toEqual([['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0']]);
  });

  it('podReplacementPolicy Failed waits for a terminating pod to finish before replacing it', async () => {
    const run = async (podReplacementPolicy: 'Failed' | 'TerminatingOrFailed') => {
      const { w, controller } = setup();
      w.seed('batch/v1/jobs', job({ completions: 1, podReplacementPolicy }, { startTime: '2026-01-01T00:00:00Z' }));
      w.seed('v1/pods', pod('pi-going', 'Running', { deleting: true, finalizer: false }));
      await controller.reconcile('ns/pi');
      return w.client.writes('pods').filter((a) => a.verb === 'create').length;
    };
    expect(await run('Failed')).toBe(0);
    expect(await run('TerminatingOrFailed')).toBe(1);
  });

  it('with a podFailurePolicy, an evicted pod is judged once it has ended, so an Ignore rule on DisruptionTarget sees it', async () => {
    const policy = { rules: [{ action: 'Ignore' as const, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' as const }] }] };
    const disruption = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' };
    const going = setup();
    going.w.seed('batch/v1/jobs', job({ backoffLimit: 0, podFailurePolicy: policy }, { startTime: '2026-01-01T00:00:00Z' }));
    going.w.seed('v1/pods', { ...pod('pi-x', 'Running', { deleting: true }), status: { phase: 'Running', conditions: [disruption] } });
    await going.controller.reconcile('ns/pi');
    // Still running: not counted, its finalizer kept, no replacement yet, the Job not failed.
    expect(going.w.client.writes('pods')).toEqual([]);
    expect(going.w.client.writes('jobs').map((a) => (a.body as Job).status?.conditions ?? [])).not.toContainEqual(expect.arrayContaining([expect.objectContaining({ type: 'Failed' })]));
    const ended = setup();
    ended.w.seed('batch/v1/jobs', job({ backoffLimit: 0, podFailurePolicy: policy }, { startTime: '2026-01-01T00:00:00Z' }));
    ended.w.seed('v1/pods', { ...pod('pi-x', 'Failed', { deleting: true }), status: { phase: 'Failed', conditions: [disruption] } });
    await ended.controller.reconcile('ns/pi');
    expect(lastStatus(ended.w)).toMatchObject({ failed: 0 });
    expect(lastStatus(ended.w).conditions ?? []).toEqual([]);
    expect(ended.w.client.writes('pods').map((a) => a.verb)).toEqual(['patch', 'create']);
  });
});
