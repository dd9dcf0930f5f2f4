// The controller-manager end to end: the Kubernetes bootcamp tutorial with kubectl (create,
// scale, rolling update, history, undo, pause/resume), self-healing, cascading deletion,
// namespace deletion, endpoints, node failure, and leader election with two
// controller-managers, on a launcher cluster with real Docker and two kubelets. Node timings
// are shortened by flags (grace 8 s, tolerations 3 s) so a node failure plays out in seconds.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { startComponent } from '../harness/components.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
const managers: Manager[] = [];

async function getJSON(path: string): Promise<Obj> {
  const res = await fetch(`${cluster.server}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Obj;
}
const list = async (path: string) => (await getJSON(path)).items as Obj[];
const ready = (p: Obj) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True');
const podsOf = (app: string, ns = 'default') => list(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
const live = (pods: Obj[]) => pods.filter((p) => !p.metadata.deletionTimestamp);

/** A loop that exits quickly on SIGTERM, so deletions take a second, not the grace period. */
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.5; done"];

type Manager = { proc: Proc; port: number };
let stopping = false;

function spawnManager(port: number): Proc {
  return startComponent('controller-manager', [
    '--master', cluster.server,
    '--port', String(port),
    // Short enough for quick takeovers, long enough that a leader keeps its lease while the
    // apiserver answers slowly (CI runs e2e files side by side on two cores): each renewal
    // request may take 3 s, and at a 1 s retry period (each request's limit then), two CI runs
    // saw every renewal of a restarted manager time out for 3-6 s once a StatefulSet and a
    // DaemonSet started their pods.
    '--leader-elect-lease-duration', '8s',
    '--leader-elect-renew-deadline', '6s',
    '--leader-elect-retry-period', '2s',
    '--node-monitor-grace-period', '8s',
    '--node-monitor-period', '1s',
  ]);
}

/**
 * A manager that loses its lease exits with code 1, as kube-controller-manager does, and is
 * started again, as Compose's restart policy (or a kubelet, for a static pod) does: a lease lost
 * under CI's load then costs a takeover, not every later test. One the test kills stays dead.
 */
function supervise(m: Manager): void {
  void m.proc.exited.then((code) => {
    if (code !== 1 || stopping) return;
    console.warn(`controller-manager pid ${m.proc.child.pid} exited with code 1 (see ${m.proc.name}.log: a lost lease?); starting it again`);
    m.proc = spawnManager(m.port);
    supervise(m);
  });
}

async function startManager(): Promise<Manager> {
  const port = await freePort();
  const m = { proc: spawnManager(port), port };
  managers.push(m);
  supervise(m);
  return m;
}

async function reconciles(m: { port: number }): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${m.port}/metrics`).then((r) => r.text());
  return [...text.matchAll(/^controller_reconciles_total\{[^}]*\} (\d+)$/gm)].reduce((n, x) => n + Number(x[1]), 0);
}

async function leaseHolder(): Promise<string> {
  return (await getJSON('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).spec.holderIdentity;
}

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 2,
    launcherArgs: [
      '--without=controller-manager',
      '--apiserver-args=--default-unreachable-toleration-seconds 3 --default-not-ready-toleration-seconds 3',
      '--kubelet-args=--node-lease-duration-seconds 8 --node-status-update-frequency 2s',
    ],
  });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  await startManager();
  await waitFor('a controller-manager leading', () => leaseHolder().catch(() => undefined), 30_000, 200);
}, 120_000);

afterAll(async () => {
  stopping = true;
  for (const m of managers) await m.proc.stop();
  await cluster?.stop();
}, 60_000);

describe('the tutorial', () => {
  it('create, scale, rolling update within maxSurge/maxUnavailable, history, undo to the old ReplicaSet, pause and resume', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=busybox:1.36', '--replicas=2', '--', ...LOOP]);
    await waitFor('2 ready', async () => (live(await podsOf('web')).filter(ready).length === 2 ? true : undefined), 60_000, 200);

    await kubectl.ok(['scale', 'deployment/web', '--replicas=3']);
    await waitFor('3 ready', async () => (live(await podsOf('web')).filter(ready).length === 3 ? true : undefined), 60_000, 200);
    const v1 = (await list('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb'))[0]!;

    // maxSurge 25% of 3 rounds up to 1, maxUnavailable 25% rounds down to 0.
    let sampling = true;
    const samples: Array<{ available: number; total: number }> = [];
    const sampler = (async () => {
      while (sampling) {
        const pods = live(await podsOf('web'));
        samples.push({ available: pods.filter(ready).length, total: pods.length });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await kubectl.ok(['set', 'image', 'deployment/web', 'busybox=kubette/pause:3.9']);
    const status = await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    sampling = false;
    await sampler;
    expect(status.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    expect(samples.length).toBeGreaterThan(10);
    expect(Math.min(...samples.map((s) => s.available))).toBeGreaterThanOrEqual(3);
    expect(Math.max(...samples.map((s) => s.total))).toBeLessThanOrEqual(4);
    const images = live(await podsOf('web')).map((p) => p.spec.containers[0].image);
    expect(images).toEqual(['kubette/pause:3.9', 'kubette/pause:3.9', 'kubette/pause:3.9']);

    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    await kubectl.ok(['rollout', 'undo', 'deployment/web']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    const sets = await list('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb');
    expect(sets.length).toBe(2); // the undo reused the first ReplicaSet instead of making a third
    const back = sets.find((rs) => rs.metadata.uid === v1.metadata.uid)!;
    expect(back.spec.replicas).toBe(3);
    expect(back.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(live(await podsOf('web')).map((p) => p.spec.containers[0].image)).toEqual(['busybox:1.36', 'busybox:1.36', 'busybox:1.36']);

    await kubectl.ok(['rollout', 'pause', 'deployment/web']);
    await kubectl.ok(['set', 'image', 'deployment/web', 'busybox=kubette/pause:3.9']);
    await waitFor('paused condition', async () => {
      const d = await getJSON('/apis/apps/v1/namespaces/default/deployments/web');
      return d.status.conditions.some((c: Obj) => c.type === 'Progressing' && c.reason === 'DeploymentPaused') ? d : undefined;
    }, 20_000, 200);
    expect((await list('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb')).find((rs) => rs.metadata.uid === v1.metadata.uid)!.spec.replicas).toBe(3);
    await kubectl.ok(['rollout', 'resume', 'deployment/web']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    expect(live(await podsOf('web')).map((p) => p.spec.containers[0].image)).toEqual(['kubette/pause:3.9', 'kubette/pause:3.9', 'kubette/pause:3.9']);
  }, 300_000);

  it('replaces a deleted pod', async () => {
    const before = live(await podsOf('web'));
    const victim = before[0]!.metadata.name;
    await kubectl.ok(['delete', 'pod', victim]);
    const after = await waitFor('a replacement', async () => {
      const pods = live(await podsOf('web')).filter(ready);
      return pods.length === 3 && !pods.some((p) => p.metadata.name === victim) ? pods : undefined;
    }, 60_000, 200);
    expect(after.length).toBe(3);
  });
});

describe('endpoints', () => {
  it('list only ready pods, in Endpoints and EndpointSlices', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            containers: [{
              name: 'api',
              image: 'busybox:1.36',
              command: LOOP,
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
            }],
          },
        },
      },
    }));
    await kubectl.ok(['expose', 'deployment', 'api', '--port=80', '--target-port=http']);
    const pods = await waitFor('2 running api pods', async () => {
      const ps = live(await podsOf('api')).filter((p) => p.status?.podIP && p.status.phase === 'Running');
      return ps.length === 2 ? ps : undefined;
    }, 60_000, 200);
    const ep = await waitFor('endpoints with not-ready addresses', async () => {
      const e = await getJSON('/api/v1/namespaces/default/endpoints/api').catch(() => undefined);
      return e?.subsets?.[0]?.notReadyAddresses?.length === 2 ? e : undefined;
    }, 30_000, 200);
    expect(ep.subsets[0].addresses).toBeUndefined();
    expect(ep.subsets[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);

    await kubectl.ok(['exec', pods[0]!.metadata.name, '--', 'touch', '/tmp/ready']);
    await waitFor('one ready address', async () => {
      const e = await getJSON('/api/v1/namespaces/default/endpoints/api');
      return e.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
    }, 30_000, 200);
    const row = await kubectl.ok(['get', 'endpoints', 'api', '--no-headers']);
    expect(row).toMatch(new RegExp(`^api\\s+${pods[0]!.status.podIP.replace(/\./g, '\\.')}:8080\\s`));
    const slices = await list('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dapi');
    expect(slices.length).toBe(1);
    const byIP = Object.fromEntries(slices[0]!.endpoints.map((e: Obj) => [e.addresses[0], e.conditions.ready]));
    expect(byIP).toEqual({ [pods[0]!.status.podIP]: true, [pods[1]!.status.podIP]: false });
    expect(slices[0]!.ports).toEqual([{ name: '', protocol: 'TCP', port: 8080 }]);
    expect(slices[0]!.metadata.ownerReferences[0]).toMatchObject({ kind: 'Service', name: 'api' });
  });
});

describe('cascading deletion', () => {
  it('background removes ReplicaSets and pods; orphan leaves them; foreground removes the owner last', async () => {
    const make = async (name: string) => {
      await kubectl.ok(['create', 'deployment', name, '--image=busybox:1.36', '--replicas=1', '--', ...LOOP]);
      await waitFor(`${name} pod`, async () => (live(await podsOf(name)).length === 1 ? true : undefined), 60_000, 200);
    };
    await Promise.all([make('bg'), make('orphaned'), make('fg')]);

    await kubectl.ok(['delete', 'deployment', 'bg']);
    await waitFor('bg dependents gone', async () => {
      const rs = await list('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dbg');
      return rs.length === 0 && (await podsOf('bg')).length === 0 ? true : undefined;
    }, 60_000, 200);

    await kubectl.ok(['delete', 'deployment', 'orphaned', '--cascade=orphan']);
    const rs = await waitFor('orphaned ReplicaSet released', async () => {
      const r = (await list('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dorphaned'))[0];
      return r && !r.metadata.ownerReferences ? r : undefined;
    }, 30_000, 200);
    expect(rs.spec.replicas).toBe(1);
    expect(live(await podsOf('orphaned')).length).toBe(1);

    const deleting = kubectl.ok(['delete', 'deployment', 'fg', '--cascade=foreground']);
    const during = await waitFor('fg waiting for its dependents', async () => {
      const d = await getJSON('/apis/apps/v1/namespaces/default/deployments/fg').catch(() => undefined);
      return d?.metadata.deletionTimestamp ? d : undefined;
    }, 30_000, 50);
    expect(during.metadata.finalizers).toContain('foregroundDeletion');
    await deleting;
    expect((await podsOf('fg')).length).toBe(0);
    expect((await list('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dfg')).length).toBe(0);
  }, 120_000);

  it('kubectl delete namespace empties it and removes it', async () => {
    await kubectl.ok(['create', 'namespace', 'scratch']);
    await kubectl.ok(['-n', 'scratch', 'create', 'deployment', 'tmp', '--image=busybox:1.36', '--', ...LOOP]);
    await kubectl.ok(['-n', 'scratch', 'create', 'configmap', 'c', '--from-literal=a=b']);
    await waitFor('default service account', () => getJSON('/api/v1/namespaces/scratch/serviceaccounts/default').catch(() => undefined), 20_000, 200);
    await waitFor('a pod in scratch', async () => ((await podsOf('tmp', 'scratch')).length ? true : undefined), 60_000, 200);
    await kubectl.ok(['delete', 'namespace', 'scratch', '--timeout=90s']);
    expect((await kubectl.run(['get', 'namespace', 'scratch'])).stderr).toContain('NotFound');
    const cms = await fetch(`${cluster.server}/api/v1/namespaces/scratch/configmaps`).then((r) => r.json()) as Obj;
    expect(cms.items).toEqual([]);
  }, 120_000);
});

describe('node failure', () => {
  it('a stopped kubelet: node NotReady and tainted, pods evicted and replaced on the other node; resumed: Ready, untainted, no duplicates', async () => {
    const [n1, n2] = cluster.nodes as [string, string];
    await kubectl.ok(['scale', 'deployment/web', '--replicas=4']);
    await waitFor('4 ready web pods', async () => (live(await podsOf('web')).filter(ready).length === 4 ? true : undefined), 60_000, 200);
    const onN1 = live(await podsOf('web')).filter((p) => p.spec.nodeName === n1);
    expect(onN1.length).toBeGreaterThan(0);
    const pid = Number(execFileSync('pgrep', ['-f', '--', `--node-name ${n1} --address`]).toString().trim().split('\n')[0]);
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor(`${n1} NotReady`, async () => {
        const out = await kubectl.ok(['get', 'node', n1, '--no-headers']);
        return /\sNotReady\s/.test(out) ? out : undefined;
      }, 60_000, 500);
      // The taints follow the Unknown condition in the same reconcile, a moment later.
      const node = await waitFor(`${n1} tainted`, async () => {
        const n = await getJSON(`/api/v1/nodes/${n1}`);
        return (n.spec.taints ?? []).length >= 2 ? n : undefined;
      }, 30_000, 200);
      expect(node.spec.taints.map((t: Obj) => `${t.key}:${t.effect}`).sort()).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
      expect(node.status.conditions.find((c: Obj) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
      const moved = await waitFor('4 ready web pods on the other node', async () => {
        const pods = live(await podsOf('web')).filter(ready);
        return pods.length === 4 && pods.every((p) => p.spec.nodeName === n2) ? pods : undefined;
      }, 60_000, 500);
      expect(moved.length).toBe(4);
      const evicted = await getJSON(`/api/v1/namespaces/default/pods/${onN1[0]!.metadata.name}`);
      expect(evicted.metadata.deletionTimestamp).toBeTruthy();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(`${n1} Ready and untainted`, async () => {
      const node = await getJSON(`/api/v1/nodes/${n1}`);
      const isReady = node.status.conditions.some((c: Obj) => c.type === 'Ready' && c.status === 'True');
      return isReady && !(node.spec.taints ?? []).length ? true : undefined;
    }, 60_000, 500);
    // The evicted pods finish terminating on the returned node: exactly 4 remain, none twice.
    await waitFor('evicted pods gone', async () => ((await podsOf('web')).length === 4 ? true : undefined), 60_000, 500);
    const containers = execFileSync('docker', ['ps', '-q', '--filter', `label=io.kubette.node=${n1}`, '--filter', 'label=io.kubernetes.container.name=busybox']).toString().trim();
    expect(containers).toBe('');
  }, 180_000);
});

describe('leader election', () => {
  it('only the leader acts; killed mid-rollout, the standby takes over and finishes the rollout', async () => {
    const leader = managers[0]!;
    const standby = await startManager();
    await waitFor('standby metrics', () => fetch(`http://127.0.0.1:${standby.port}/metrics`).then((r) => r.ok || undefined).catch(() => undefined), 20_000, 200);
    const holder = await leaseHolder();
    expect(holder).toContain(`_${leader.proc.child.pid}`);
    const before = await reconciles(standby);

    await kubectl.ok(['set', 'image', 'deployment/web', 'busybox=busybox:1.36']);
    await waitFor('the rollout under way', async () => {
      const d = await getJSON('/apis/apps/v1/namespaces/default/deployments/web');
      return d.status.updatedReplicas >= 1 && d.status.updatedReplicas < 4 ? true : undefined;
    }, 60_000, 100);
    expect(await reconciles(standby)).toBe(before); // a standby watches nothing and acts on nothing
    expect(before).toBe(0);
    await leader.proc.kill();

    await waitFor('the standby leading', async () => ((await leaseHolder()).includes(`_${standby.proc.child.pid}`) ? true : undefined), 30_000, 200);
    const status = await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    expect(status.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    expect(await reconciles(standby)).toBeGreaterThan(0);
    const pods = live(await podsOf('web'));
    expect(pods.length).toBe(4);
    expect(pods.every((p) => p.spec.containers[0].image === 'busybox:1.36')).toBe(true);
  }, 180_000);
});

describe('controller-manager restarts under workloads', () => {
  it('a Job whose controller-manager is SIGKILLed mid-run finishes with every pod run and counted once', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'steps' },
      spec: { completions: 6, parallelism: 2, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 1'] }] } } },
    }));
    await waitFor('two pods succeeded', async () => ((await getJSON('/apis/batch/v1/namespaces/default/jobs/steps')).status?.succeeded >= 2 ? true : undefined), 60_000, 100);
    for (const m of managers) if (m.proc.running) await m.proc.kill();
    const next = await startManager();
    await waitFor('the new controller-manager leading', async () => ((await leaseHolder()).includes(`_${next.proc.child.pid}`) ? true : undefined), 30_000, 200);
    await kubectl.ok(['wait', '--for=condition=complete', 'job/steps', '--timeout=120s']);
    const job = await getJSON('/apis/batch/v1/namespaces/default/jobs/steps');
    expect([job.status.succeeded, job.status.failed ?? 0, job.status.active ?? 0]).toEqual([6, 0, 0]);
    const pods = await list('/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dsteps');
    expect(pods.map((p) => p.status.phase)).toEqual(Array(6).fill('Succeeded'));
    expect(pods.filter((p) => (p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking'))).toEqual([]);
  }, 180_000);
});

describe('controller-manager restarts under stateful workloads', () => {
  it('a StatefulSet and a DaemonSet whose controller-manager is SIGKILLed mid-creation end with exactly their pods', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ordered' }, spec: { clusterIP: 'None', selector: { app: 'ordered' }, ports: [{ port: 80 }] } },
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'ordered' },
          spec: {
            serviceName: 'ordered',
            replicas: 4,
            selector: { matchLabels: { app: 'ordered' } },
            template: { metadata: { labels: { app: 'ordered' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: LOOP }] } },
          },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'everywhere' },
          spec: { selector: { matchLabels: { app: 'everywhere' } }, template: { metadata: { labels: { app: 'everywhere' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: LOOP }] } } },
        },
      ],
    }));
    await waitFor('the StatefulSet part-way', async () => ((await podsOf('ordered')).length >= 2 ? true : undefined), 60_000, 50);
    for (const m of managers) if (m.proc.running) await m.proc.kill();
    const next = await startManager();
    await waitFor('the new controller-manager leading', async () => ((await leaseHolder()).includes(`_${next.proc.child.pid}`) ? true : undefined), 30_000, 200);
    await kubectl.ok(['rollout', 'status', 'statefulset/ordered', '--timeout=120s']);
    await kubectl.ok(['rollout', 'status', 'daemonset/everywhere', '--timeout=120s']);
    expect(live(await podsOf('ordered')).map((p) => p.metadata.name).sort()).toEqual(['ordered-0', 'ordered-1', 'ordered-2', 'ordered-3']);
    expect(live(await podsOf('everywhere')).map((p) => p.spec.nodeName).sort()).toEqual([...cluster.nodes].sort());
  }, 180_000);

  it('a CronJob whose controller-manager is SIGKILLed makes exactly one Job per scheduled minute', async () => {
    await kubectl.ok(['create', 'cronjob', 'minutely', '--image=busybox:1.36', '--schedule=* * * * *', '--', 'echo', 'tick']);
    const made = async () => (await list('/apis/batch/v1/namespaces/default/jobs')).filter((j) => j.metadata.ownerReferences?.[0]?.name === 'minutely');
    await waitFor('the first scheduled Job', async () => ((await made()).length >= 1 ? true : undefined), 80_000, 250);
    for (const m of managers) if (m.proc.running) await m.proc.kill();
    const next = await startManager();
    await waitFor('the new controller-manager leading', async () => ((await leaseHolder()).includes(`_${next.proc.child.pid}`) ? true : undefined), 30_000, 200);
    await waitFor('the Job of the next minute', async () => ((await made()).length >= 2 ? true : undefined), 80_000, 250);
    await kubectl.ok(['patch', 'cronjob', 'minutely', '-p', '{"spec":{"suspend":true}}']);
    const jobs = await made();
    const minutes = jobs.map((j) => Date.parse(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']) / 60_000);
    expect(new Set(minutes).size).toBe(jobs.length);
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(minutes.map((m) => `minutely-${m}`).sort());
  }, 200_000);
});
