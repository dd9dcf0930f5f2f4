// Jobs as a user runs them: unmodified kubectl 1.32 on a launcher cluster (real Docker): a Job
// runs to completion and `kubectl wait` / `kubectl logs job/x` see it; a failing Job stops
// after backoffLimit; an Indexed Job gives each pod its index; a finished Job with
// ttlSecondsAfterFinished is deleted with its pods; deleting a running Job leaves no pod held
// by the tracking finalizer. A CronJob on a one-minute schedule makes its Job when the minute
// comes (created first, so the wait overlaps the Job tests), and kubectl create job --from works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClusterJSON, startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

const getJSON = (path: string): Promise<Obj> => getClusterJSON(cluster, path);
const job = (name: string) => getJSON(`/apis/batch/v1/namespaces/default/jobs/${name}`);
const podsOf = async (name: string) => ((await getJSON(`/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3D${name}`)).items as Obj[]);
const conditionTypes = (j: Obj) => ((j.status?.conditions ?? []) as Obj[]).filter((c) => c.status === 'True').map((c) => c.type);

let cronCreatedAt = 0;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  await kubectl.ok(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=* * * * *', '--', 'echo', 'tick']);
  // A Forbid CronJob whose Job outlasts the minute: the next minute's run must be skipped.
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'slow' },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '240'] }] } } } },
    },
  }));
  cronCreatedAt = Date.now();
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('Jobs', () => {
  it('kubectl create job runs to completion: wait, logs job/x, and the get jobs columns', async () => {
    await kubectl.ok(['create', 'job', 'hello', '--image=busybox:1.36', '--', 'echo', 'hi from the job']);
    await kubectl.ok(['wait', '--for=condition=complete', 'job/hello', '--timeout=60s']);
    expect((await kubectl.ok(['logs', 'job/hello'])).trim()).toBe('hi from the job');
    const j = await job('hello');
    expect(j.status).toMatchObject({ succeeded: 1 });
    // Counts of zero are left out, as Kubernetes' Go types write them (omitempty).
    expect(j.status).not.toHaveProperty('failed');
    expect(j.status).not.toHaveProperty('active');
    expect(conditionTypes(j)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(Date.parse(j.status.completionTime)).toBeGreaterThanOrEqual(Date.parse(j.status.startTime));
    const [header, row] = (await kubectl.ok(['get', 'jobs', 'hello'])).trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(row!.split(/\s{2,}/).slice(0, 3)).toEqual(['hello', 'Complete', '1/1']);
    // Its pod is finished and no longer held by the tracking finalizer.
    const [pod] = await podsOf('hello');
    expect(pod!.status.phase).toBe('Succeeded');
    expect(pod!.metadata.finalizers ?? []).not.toContain('batch.kubernetes.io/job-tracking');
  });

  it('a Job whose pods fail stops after backoffLimit, with BackoffLimitExceeded', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'doomed' },
      spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }] } } },
    }));
    // One failure, a 10 s back-off, a second failure: past the limit.
    await kubectl.ok(['wait', '--for=condition=failed', 'job/doomed', '--timeout=90s']);
    const j = await job('doomed');
    expect([j.status.failed, j.status.succeeded ?? 0, j.status.active ?? 0]).toEqual([2, 0, 0]);
    expect((j.status.conditions as Obj[]).find((c) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect((await podsOf('doomed')).map((p) => p.status.phase)).toEqual(['Failed', 'Failed']);
  }, 120_000);

  it('a podFailurePolicy FailJob rule fails the Job on its exit code at once, without retries', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'policed' },
      spec: {
        backoffLimit: 6,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] },
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', 'exit 42'] }] } },
      },
    }));
    await kubectl.ok(['wait', '--for=condition=failed', 'job/policed', '--timeout=60s']);
    const j = await job('policed');
    expect([j.status.failed, j.status.active ?? 0]).toEqual([1, 0]);
    expect((j.status.conditions as Obj[]).find((c) => c.type === 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: expect.stringMatching(/^Container main for pod default\/policed-\w+ failed with exit code 42 matching FailJob rule at index 0$/) });
  });

  it('an evicted pod carries DisruptionTarget to its end, and a podFailurePolicy Ignore rule lets its failure go uncounted', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'disrupted' },
      spec: {
        backoffLimit: 0,
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
        template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '6'] }] } },
      },
    }));
    const first = await waitFor('the first pod running', async () => (await podsOf('disrupted')).find((p) => p.status?.phase === 'Running'), 60_000, 250);
    // Every version of the pod until it is gone, from a watch: its Failed version may last only
    // until the Job's controller lets it go.
    const versions: Obj[] = [];
    const stopWatch = new AbortController();
    const watch = await fetch(`${cluster.server}/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3D${first.metadata.name}&resourceVersion=${first.metadata.resourceVersion}`, { signal: stopWatch.signal });
    const gone = (async () => {
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of watch.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffered.slice(0, nl)) as Obj;
          buffered = buffered.slice(nl + 1);
          versions.push(event.object);
          if (event.type === 'DELETED') return;
        }
      }
    })();
    gone.catch(() => {}); // aborted after a timeout: the race below reports it
    const evicted = await fetch(`${cluster.server}/api/v1/namespaces/default/pods/${first.metadata.name}/eviction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: first.metadata.name } }),
    });
    expect(evicted.status).toBe(201);
    await Promise.race([gone, new Promise((_, reject) => setTimeout(() => reject(new Error('the evicted pod was not deleted within 60 s')), 60_000))]).finally(() => stopWatch.abort());
    // Its kubelet ended it Failed, keeping the condition the eviction gave it.
    const ended = versions.find((p) => p.status?.phase === 'Failed');
    expect(ended?.status.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }));
    await kubectl.ok(['wait', '--for=condition=complete', 'job/disrupted', '--timeout=90s']);
    expect((await job('disrupted')).status).toMatchObject({ succeeded: 1 });
    expect((await job('disrupted')).status.failed ?? 0).toBe(0);
  }, 150_000);

  it('an Indexed Job runs one pod per index, each with JOB_COMPLETION_INDEX and its hostname', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'indexed' },
      spec: {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 3,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo "$JOB_COMPLETION_INDEX $(hostname)"'] }] } },
      },
    }));
    await kubectl.ok(['wait', '--for=condition=complete', 'job/indexed', '--timeout=60s']);
    expect((await job('indexed')).status).toMatchObject({ completedIndexes: '0-2', succeeded: 3 });
    const lines: string[] = [];
    for (const p of await podsOf('indexed')) lines.push((await kubectl.ok(['logs', p.metadata.name])).trim());
    expect(lines.sort()).toEqual(['0 indexed-0', '1 indexed-1', '2 indexed-2']);
  });

  it('backoffLimitPerIndex gives up only the failing index: the others complete and the Job fails with FailedIndexes', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'per-index' },
      spec: {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 3,
        backoffLimitPerIndex: 0,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', '[ "$JOB_COMPLETION_INDEX" != 1 ]'] }] } },
      },
    }));
    await kubectl.ok(['wait', '--for=condition=failed', 'job/per-index', '--timeout=60s']);
    const j = await job('per-index');
    expect(j.status).toMatchObject({ completedIndexes: '0,2', failedIndexes: '1', succeeded: 2, failed: 1 });
    expect((j.status.conditions as Obj[]).find((c) => c.type === 'Failed')).toMatchObject({ reason: 'FailedIndexes' });
  });

  it('ttlSecondsAfterFinished deletes the finished Job and its pods; deleting a running Job leaves no pod behind', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'brief' },
      spec: { ttlSecondsAfterFinished: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['true'] }] } } },
    }));
    await waitFor('brief deleted after its TTL', async () => ((await fetch(`${cluster.server}/apis/batch/v1/namespaces/default/jobs/brief`)).status === 404 ? true : undefined), 60_000, 250);
    await waitFor('brief pods gone', async () => ((await podsOf('brief')).length === 0 ? true : undefined), 30_000, 250);

    await kubectl.ok(['create', 'job', 'forever', '--image=busybox:1.36', '--', 'sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"]);
    await waitFor('forever running', async () => ((await podsOf('forever'))[0]?.status?.phase === 'Running' ? true : undefined), 60_000, 250);
    await kubectl.ok(['delete', 'job', 'forever']);
    await waitFor('forever pods gone (not held by the tracking finalizer)', async () => ((await podsOf('forever')).length === 0 ? true : undefined), 60_000, 250);
  });
});

describe('CronJobs', () => {
  it('makes a Job named by its scheduled minute when the minute comes, and kubectl create job --from=cronjob works', async () => {
    const made = await waitFor('the CronJob made a Job', async () => {
      const list = ((await getJSON('/apis/batch/v1/namespaces/default/jobs')).items as Obj[]).filter((j) => j.metadata.ownerReferences?.[0]?.kind === 'CronJob' && j.metadata.name.startsWith('tick-'));
      return list[0];
    }, 80_000, 500);
    const scheduled = Date.parse(made.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    expect(made.metadata.name).toBe(`tick-${scheduled / 60_000}`);
    expect(scheduled % 60_000).toBe(0);
    expect(scheduled).toBeGreaterThan(cronCreatedAt - 60_000);
    await kubectl.ok(['wait', '--for=condition=complete', `job/${made.metadata.name}`, '--timeout=60s']);
    expect((await kubectl.ok(['logs', `job/${made.metadata.name}`])).trim()).toBe('tick');
    const cj = await getJSON('/apis/batch/v1/namespaces/default/cronjobs/tick');
    // The most recent scheduled minute: this Job's, or a later one's if the next minute came
    // while it ran (the schedule is every minute).
    const last = Date.parse(cj.status.lastScheduleTime);
    expect(last).toBeGreaterThanOrEqual(scheduled);
    expect(last % 60_000).toBe(0);
    await waitFor('lastSuccessfulTime', async () => ((await getJSON('/apis/batch/v1/namespaces/default/cronjobs/tick')).status?.lastSuccessfulTime ? true : undefined), 20_000, 250);
    const [header] = (await kubectl.ok(['get', 'cronjobs'])).trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);

    await kubectl.ok(['create', 'job', 'by-hand', '--from=cronjob/tick']);
    await kubectl.ok(['wait', '--for=condition=complete', 'job/by-hand', '--timeout=60s']);
    expect((await job('by-hand')).metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    await kubectl.ok(['patch', 'cronjob', 'tick', '-p', '{"spec":{"suspend":true}}']);
  }, 150_000);

  it('Forbid skips a scheduled time while the last Job still runs', async () => {
    const slowJobs = async () => ((await getJSON('/apis/batch/v1/namespaces/default/jobs')).items as Obj[]).filter((j) => j.metadata.ownerReferences?.[0]?.name === 'slow');
    const first = await waitFor('the first slow Job', async () => (await slowJobs())[0], 80_000, 500);
    const firstMinute = Date.parse(first.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    // Wait past the next scheduled minute (the first Job sleeps 240 s, so it still runs).
    const until = firstMinute + 60_000 + 5_000;
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
    expect((await slowJobs()).map((j) => j.metadata.name)).toEqual([first.metadata.name]);
    const cj = await getJSON('/apis/batch/v1/namespaces/default/cronjobs/slow');
    expect(cj.status.active.map((a: Obj) => a.name)).toEqual([first.metadata.name]);
    await kubectl.ok(['patch', 'cronjob', 'slow', '-p', '{"spec":{"suspend":true}}']);
    await kubectl.ok(['delete', 'job', first.metadata.name, '--wait=false']);
  }, 150_000);
});
