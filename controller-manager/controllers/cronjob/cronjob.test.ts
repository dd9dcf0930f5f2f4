// CronJob reconcile with an injected clock: which Job it makes, when, and what it cleans up.
import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from '../../../api/cron.js';
import type { CronJob, Job } from '../../../api/types/batch.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { CronJobController, dueTimes } from './cronjob.js';

const at = (iso: string) => Date.parse(iso);

function setup(nowIso: string) {
  const w = fakeWorld();
  const clock = { t: at(nowIso) };
  return { w, clock, controller: new CronJobController(w.ctx, () => clock.t) };
}

const cronjob = (spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:30Z' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
  status,
});

const child = (name: string, state: 'running' | 'Complete' | 'Failed', started: string): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, resourceVersion: '3', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }] },
  spec: { template: { spec: { containers: [] } } },
  status: { startTime: started, ...(state === 'running' ? {} : { conditions: [{ type: state, status: 'True' }], ...(state === 'Complete' ? { completionTime: started } : {}) }) },
});

describe('cron schedules', () => {
  it('parses five fields and descriptors in a time zone, and says what is wrong with the rest', () => {
    expect(new Date(parseCronSchedule('30 9 * * 1-5', 'Europe/Berlin').next(at('2026-01-02T09:00:00Z'))!).toISOString()).toBe('2026-01-05T08:30:00.000Z');
    expect(new Date(parseCronSchedule('@hourly').next(at('2026-01-01T00:02:00Z'))!).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    // 09:00 in New York is 14:00 UTC before daylight saving time begins (8 March 2026) and 13:00 after.
    const nine = parseCronSchedule('0 9 * * *', 'America/New_York');
    expect(new Date(nine.next(at('2026-03-07T00:00:00Z'))!).toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(new Date(nine.next(at('2026-03-08T12:00:00Z'))!).toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(parseCronSchedule('@every 1h30m').next(at('2026-01-01T00:00:00.250Z'))).toBe(at('2026-01-01T01:30:00Z'));
    expect(() => parseCronSchedule('@every soon')).toThrow(/failed to parse duration @every soon/);
    expect(() => parseCronSchedule('* * * * * *')).toThrow('expected exactly 5 fields, found 6: [* * * * * *]');
    expect(() => parseCronSchedule('@fortnightly')).toThrow('unrecognized descriptor: @fortnightly');
    expect(() => parseCronSchedule('61 * * * *')).toThrow(/minute/);
    expect(() => parseCronSchedule('* * * * *', 'Mars/Olympus')).toThrow('unknown time zone Mars/Olympus');
  });

  it('finds the most recent due time, counting missed ones, without walking years of minutes', () => {
    const every = parseCronSchedule('* * * * *');
    expect(dueTimes(every, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:03:30Z'))).toEqual({ mostRecent: at('2026-01-01T00:03:00Z'), missed: 3, next: at('2026-01-01T00:04:00Z') });
    const far = dueTimes(every, at('2020-01-01T00:00:00Z'), at('2026-01-01T00:03:30Z'));
    expect(far).toEqual({ mostRecent: at('2026-01-01T00:03:00Z'), missed: 101, next: at('2026-01-01T00:04:00Z') });
  });
});

describe('CronJob reconcile', () => {
  it('creates the Job for the most recent time, named by its minute and annotated, then waits for the next time', async () => {
    const { w, controller } = setup('2026-01-01T00:11:00Z');
    w.seed('batch/v1/cronjobs', cronjob());
    w.seed('batch/v1/jobs');
    const result = await controller.reconcile('ns/tick');
    const created = w.client.writes('jobs').filter((a) => a.verb === 'create');
    const minutes = at('2026-01-01T00:10:00Z') / 60_000;
    expect(created).toEqual([expect.objectContaining({ body: expect.objectContaining({ metadata: expect.objectContaining({ name: `tick-${minutes}`, labels: { app: 'tick' }, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-01T00:10:00Z' } }) }) })]);
    expect(result).toEqual({ requeueAfterMs: 4 * 60_000 + 100 });
    const status = (w.client.writes('cronjobs')[0]!.body as CronJob).status!;
    expect(status.lastScheduleTime).toBe('2026-01-01T00:10:00Z');
    expect(status.active!.map((a) => a.name)).toEqual([`tick-${minutes}`]);
  });

  it('Forbid skips while a Job runs; Replace deletes it first; suspend and a passed starting deadline start nothing', async () => {
    const run = async (spec: Partial<CronJob['spec']>) => {
      const s = setup('2026-01-01T00:11:00Z');
      s.w.seed('batch/v1/cronjobs', cronjob(spec, { lastScheduleTime: '2026-01-01T00:05:00Z' }));
      s.w.seed('batch/v1/jobs', child('tick-old', 'running', '2026-01-01T00:05:00Z'));
      await s.controller.reconcile('ns/tick');
      return s.w.client.writes('jobs').map((a) => `${a.verb} ${a.name ?? (a.body as Job).metadata.name}`);
    };
    const minutes = at('2026-01-01T00:10:00Z') / 60_000;
    expect(await run({ concurrencyPolicy: 'Forbid' })).toEqual([]);
    expect(await run({ concurrencyPolicy: 'Replace' })).toEqual(['delete tick-old', `create tick-${minutes}`]);
    expect(await run({ concurrencyPolicy: 'Allow' })).toEqual([`create tick-${minutes}`]);
    expect(await run({ suspend: true })).toEqual([]);
    expect(await run({ startingDeadlineSeconds: 30 })).toEqual([]);
  });

  it('reports a schedule that never fires (the 31st of February) as InvalidSchedule and starts nothing', async () => {
    const { w, controller } = setup('2026-01-01T00:11:00Z');
    w.seed('batch/v1/cronjobs', cronjob({ schedule: '59 23 31 2 *' }));
    w.seed('batch/v1/jobs');
    expect(await controller.reconcile('ns/tick')).toBeUndefined();
    expect(w.client.writes('jobs')).toEqual([]);
    const events = w.client.actions.filter((a) => a.verb === 'create' && a.resource === 'events').map((a) => a.body as { reason: string; message: string; type: string });
    expect(events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidSchedule', message: 'invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second' })]);
  });

  it('keeps three successful and one failed Job, deleting the oldest; reports lastSuccessfulTime', async () => {
    const { w, controller } = setup('2026-01-01T00:07:00Z');
    w.seed('batch/v1/cronjobs', cronjob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }));
    w.seed(
      'batch/v1/jobs',
      child('ok1', 'Complete', '2026-01-01T00:01:00Z'),
      child('ok2', 'Complete', '2026-01-01T00:02:00Z'),
      child('ok3', 'Complete', '2026-01-01T00:03:00Z'),
      child('ok4', 'Complete', '2026-01-01T00:04:00Z'),
      child('bad1', 'Failed', '2026-01-01T00:01:30Z'),
      child('bad2', 'Failed', '2026-01-01T00:02:30Z'),
    );
    await controller.reconcile('ns/tick');
    expect(w.client.writes('jobs').map((a) => `${a.verb} ${a.name}`)).toEqual(['delete ok1', 'delete bad1']);
    expect((w.client.writes('cronjobs')[0]!.body as CronJob).status!.lastSuccessfulTime).toBe('2026-01-01T00:04:00Z');
  });
});
