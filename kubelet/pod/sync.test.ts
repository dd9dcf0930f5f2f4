// The kubelet's pod sync on the in-memory runtime and a fake API client: what it creates,
// starts, restarts, stops and removes, in which order, and the status it writes. No Docker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { EventRecorder } from '../../client/events.js';
import { FakeClient } from '../../client/fake-client.js';
import { resource } from '../../client/rest.js';
import { ImagePuller } from '../container/image-puller.js';
import { activeDeadline, PodSyncer, type PodSyncDeps } from './sync.js';
import { PodWorkers } from './workers.js';
import { Prober } from '../container/prober.js';
import { MemoryRuntime } from '../runtime/memory.js';
import { StatusManager } from './status-manager.js';
import { ServiceAccountTokenManager } from './service-account-tokens.js';

const pods = resource('v1/pods');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const runtime = new MemoryRuntime(['busybox']);
  const client = new FakeClient();
  const log = pino({ level: 'silent' });
  const recorder = new EventRecorder(client, { component: 'kubelet', host: 'n1' }, log);
  const rootDir = mkdtempSync(join(tmpdir(), 'kubette-podsync-'));
  dirs.push(rootDir);
  const prober = new Prober(runtime, recorder, () => undefined);
  const deps: PodSyncDeps = {
    runtime,
    client,
    recorder,
    prober,
    puller: new ImagePuller(runtime, recorder),
    statuses: new StatusManager(client, log),
    tokens: new ServiceAccountTokenManager(client, log),
    settings: { nodeName: 'n1', clusterDNS: [], clusterDomain: 'cluster.local', nodeIP: '127.0.0.1', rootDir, allocatable: () => ({ cpu: '2', memory: '4Gi' }), allowedUnsafeSysctls: ['kernel.msg*'] },
    services: () => [],
    log,
  };
  const syncer = new PodSyncer(deps);
  /** The pod as the API holds it after the kubelet's status writes. */
  const current = (p: Pod) => client.stored<Pod>(pods, p.metadata.namespace, p.metadata.name!)!;
  return { runtime, client, syncer, prober, current, deps };
}

function pod(spec: Partial<Pod['spec']> = {}, name = 'web'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, resourceVersion: '1' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', containers: [{ name: 'app', image: 'busybox' }], ...spec },
  } as Pod;
}

interface LooseState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string };
}
/** A container status's states, any of which may be present. */
const states = (c: { state: unknown; lastState: unknown }) => ({ state: c.state as LooseState, last: c.lastState as LooseState });

/** Syncs until a sync changes nothing in the runtime any more (as the kubelet's worker would, event by event). */
async function settle(s: ReturnType<typeof setup>, p: Pod, rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const before = s.runtime.calls.length;
    const latest = s.current(p) ?? p;
    await s.syncer.sync({ ...p, status: latest.status, metadata: { ...p.metadata, resourceVersion: latest.metadata.resourceVersion } });
    if (s.runtime.calls.length === before) return;
  }
}

/** Makes the runtime's sandbox creation wait until the test lets it go, as Docker's network setup can. */
function holdSandbox(s: ReturnType<typeof setup>): { making: Promise<void>; release: () => void } {
  let release!: () => void;
  const made = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const making = new Promise<void>((r) => (entered = r));
  const runSandbox = s.runtime.runPodSandbox.bind(s.runtime);
  s.runtime.runPodSandbox = async (config) => {
    entered();
    await made;
    return runSandbox(config);
  };
  return { making, release };
}

describe('pod sync on the in-memory runtime', () => {
  it('starts the sandbox, then each init container after the previous one succeeded, then the app containers', async () => {
    const s = setup();
    s.runtime.behaviour = (spec) => (spec.labels['io.kubette.container.kind'] === 'init' ? { exitCode: 0 } : undefined);
    const p = pod({ initContainers: [{ name: 'init-1', image: 'busybox' }, { name: 'init-2', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] });
    s.client.seed(pods, p);
    await settle(s, p);
    expect(s.runtime.calls.filter((c) => c.startsWith('start') || c === 'run sandbox')).toEqual(['run sandbox', 'start init-1', 'start init-2', 'start a', 'start b']);
    const status = s.current(p).status!;
    expect(status.phase).toBe('Running');
    expect(status.podIP).toMatch(/^10\.88\.0\.\d+$/);
    expect(status.initContainerStatuses!.map((c) => [c.name, states(c).state.terminated?.reason])).toEqual([
      ['init-1', 'Completed'],
      ['init-2', 'Completed'],
    ]);
    expect(status.containerStatuses!.map((c) => [c.name, !!states(c).state.running])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  it('holds the app containers while an init container fails, and restarts it', async () => {
    const s = setup();
    s.runtime.behaviour = (spec) => (spec.labels['io.kubette.container.kind'] === 'init' ? { exitCode: 1 } : undefined);
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
    s.client.seed(pods, p);
    await settle(s, p, 3);
    expect(s.runtime.calls).not.toContain('start app');
    const status = s.current(p).status!;
    expect(status.phase).toBe('Pending');
    const init = states(status.initContainerStatuses![0]!);
    expect(init.last.terminated?.exitCode ?? init.state.terminated?.exitCode).toBe(1);
  });

  it('restarts a crashed container once, then backs off with CrashLoopBackOff', async () => {
    const s = setup();
    s.runtime.behaviour = (spec) => (spec.labels['io.kubette.container.kind'] === 'app' ? { exitCode: 3 } : undefined);
    const p = pod();
    s.client.seed(pods, p);
    await settle(s, p, 2); // first run, immediate restart
    await settle(s, p, 1); // now in back-off
    expect(s.runtime.calls.filter((c) => c === 'start app')).toHaveLength(2);
    const app = s.current(p).status!.containerStatuses![0]!;
    expect(states(app).state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(states(app).last.terminated?.exitCode).toBe(3);
    expect(app.restartCount).toBe(1);
  });

  it('starts the back-off afresh for a container whose image changed', async () => {
    const s = setup();
    s.runtime.addImage('busybox:2');
    s.runtime.behaviour = (spec) => (spec.labels['io.kubette.container.kind'] === 'app' ? { exitCode: 3 } : undefined);
    const p = pod();
    s.client.seed(pods, p);
    await settle(s, p, 2);
    await settle(s, p, 1);
    expect(states(s.current(p).status!.containerStatuses![0]!).state.waiting?.reason).toBe('CrashLoopBackOff');
    // A new image: the next sync runs it at once instead of waiting out the old container's back-off.
    const updated = { ...p, spec: { ...p.spec, containers: [{ name: 'app', image: 'busybox:2' }] } };
    const before = s.runtime.calls.filter((c) => c === 'start app').length;
    await s.syncer.sync({ ...updated, status: s.current(p).status });
    expect(s.runtime.calls.filter((c) => c === 'start app')).toHaveLength(before + 1);
  });

  it('ends a restartPolicy Never pod as Failed and does not restart it', async () => {
    const s = setup();
    s.runtime.behaviour = (spec) => (spec.labels['io.kubette.container.kind'] === 'app' ? { exitCode: 2 } : undefined);
    const p = pod({ restartPolicy: 'Never' });
    s.client.seed(pods, p);
    await settle(s, p);
    expect(s.runtime.calls.filter((c) => c === 'start app')).toHaveLength(1);
    expect(s.current(p).status!.phase).toBe('Failed');
  });

  it('rejects a pod asking for a sysctl the node does not allow: Failed, SysctlForbidden, nothing run, and it stays so', async () => {
    const s = setup();
    const p = pod({ securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.core.somaxconn', value: '1024' }] } });
    s.client.seed(pods, p);
    await settle(s, p);
    expect(s.runtime.calls).toEqual([]);
    const status = s.current(p).status!;
    expect([status.phase, status.reason, status.message]).toEqual(['Failed', 'SysctlForbidden', 'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted']);
    // Allowed ones (safe, or by --allowed-unsafe-sysctls) reach the sandbox.
    const ok = pod({ securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net/ipv4/tcp_syncookies', value: '0' }] } }, 'ok');
    s.client.seed(pods, ok);
    await settle(s, ok);
    expect(s.current(ok).status!.phase).toBe('Running');
  });

  it('holds a container that would run as root under runAsNonRoot in CreateContainerConfigError; the others get their security settings', async () => {
    const s = setup();
    s.runtime.addImage('app-as-user');
    s.runtime.imageUsers.set('app-as-user', { uid: 1001 });
    const seen = new Map<string, unknown>();
    s.runtime.behaviour = (config) => void seen.set(config.metadata.name, config.security);
    const p = pod({
      securityContext: { runAsNonRoot: true, runAsGroup: 5, fsGroup: 7 },
      containers: [
        { name: 'root', image: 'busybox' },
        { name: 'user', image: 'app-as-user', securityContext: { capabilities: { drop: ['ALL'] } } },
      ],
    });
    s.client.seed(pods, p);
    await settle(s, p, 2);
    const statuses = s.current(p).status!.containerStatuses!;
    const root = states(statuses.find((c) => c.name === 'root')!).state.waiting as { reason?: string; message?: string };
    expect(root).toEqual({ reason: 'CreateContainerConfigError', message: 'container has runAsNonRoot and image will run as root (pod: "web_ns(web-uid)", container: root)' });
    expect(s.runtime.calls).not.toContain('create root');
    expect(seen.get('user')).toMatchObject({ runAsUser: 1001, runAsGroup: 5, supplementalGroups: [7], capabilities: { add: [], drop: ['ALL'] } });
  });

  it('reports ErrImagePull for an image that cannot be pulled, without creating the container', async () => {
    const s = setup();
    s.runtime.unpullable.add('nowhere/missing:1');
    const p = pod({ containers: [{ name: 'app', image: 'nowhere/missing:1' }] });
    s.client.seed(pods, p);
    await settle(s, p, 2);
    expect(s.runtime.calls).not.toContain('create app');
    expect(states(s.current(p).status!.containerStatuses![0]!).state.waiting?.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
  });

  it('stops and removes every container of a pod being deleted, then deletes it with grace 0 and its uid', async () => {
    const s = setup();
    const p = pod();
    s.client.seed(pods, p);
    await settle(s, p);
    await s.syncer.sync({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } });
    expect(s.runtime.all()).toEqual([]);
    const order = s.runtime.calls.filter((c) => c.startsWith('stop') || c.startsWith('remove'));
    expect(order).toEqual(['stop app', 'stop sandbox', 'remove app', 'remove sandbox']);
    expect(s.client.writes('pods').filter((a) => a.verb === 'delete')).toEqual([
      expect.objectContaining({ name: 'web', body: { gracePeriodSeconds: 0, preconditions: { uid: 'web-uid' } } }),
    ]);
  });

  it('gives a Memory emptyDir one runtime volume that both containers mount, sized and owned as Kubernetes sizes them, removed with the pod', async () => {
    const s = setup();
    const mount = [{ name: 'scratch', mountPath: '/scratch' }];
    const p = pod({
      securityContext: { fsGroup: 2000 },
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }, { name: 'unbounded', emptyDir: { medium: 'Memory' } }],
      containers: [
        { name: 'writer', image: 'busybox', volumeMounts: [...mount, { name: 'unbounded', mountPath: '/u' }], resources: { limits: { memory: '128Mi' } } },
        { name: 'reader', image: 'busybox', volumeMounts: [{ ...mount[0]!, readOnly: true }], resources: { limits: { memory: '32Mi' } } },
      ],
    } as Partial<Pod['spec']>);
    s.client.seed(pods, p);
    await settle(s, p);
    const name = 'kubette-web-uid-scratch';
    // The smaller of the sizeLimit (64Mi) and the pod's memory limit (160Mi); the other one
    // has no sizeLimit: the pod's limit.
    expect(s.runtime.volumes.get(name)).toEqual({ sizeBytes: 64 * 1024 * 1024, gid: 2000, labels: { 'io.kubette.node': 'n1', 'io.kubernetes.pod.uid': 'web-uid' } });
    expect(s.runtime.volumes.get('kubette-web-uid-unbounded')?.sizeBytes).toBe(160 * 1024 * 1024);
    // Volumes only (the kubelet's /etc/hosts aside).
    const volumeMounts = (c: string) => s.runtime.configOf(c)!.mounts.filter((m) => m.containerPath !== '/etc/hosts');
    expect(volumeMounts('writer')).toEqual([
      { hostPath: '', volume: name, containerPath: '/scratch', readonly: false },
      { hostPath: '', volume: 'kubette-web-uid-unbounded', containerPath: '/u', readonly: false },
    ]);
    expect(volumeMounts('reader')).toEqual([{ hostPath: '', volume: name, containerPath: '/scratch', readonly: true }]);
    await s.syncer.sync({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } });
    expect(s.runtime.all()).toEqual([]);
    expect([...s.runtime.volumes.keys()]).toEqual([]);
  });

  it('without a sizeLimit or a limit on every container, a Memory emptyDir is capped at the node allocatable memory; other media and subPaths into it are refused', async () => {
    const s = setup();
    const p = pod({ volumes: [{ name: 'm', emptyDir: { medium: 'Memory' } }], containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'm', mountPath: '/m' }] }] } as Partial<Pod['spec']>);
    s.client.seed(pods, p);
    await settle(s, p);
    expect(s.runtime.volumes.get('kubette-web-uid-m')?.sizeBytes).toBe(4 * 1024 * 1024 * 1024);

    const huge = pod({ volumes: [{ name: 'h', emptyDir: { medium: 'HugePages' } }] } as Partial<Pod['spec']>, 'huge');
    s.client.seed(pods, huge);
    await settle(s, huge);
    expect(s.runtime.named('app').length).toBe(1);
    const sub = pod({ volumes: [{ name: 'm', emptyDir: { medium: 'Memory' } }], containers: [{ name: 'sub', image: 'busybox', volumeMounts: [{ name: 'm', mountPath: '/m', subPath: 'x' }] }] } as Partial<Pod['spec']>, 'sub');
    s.client.seed(pods, sub);
    await settle(s, sub);
    expect(s.runtime.named('sub')).toEqual([]);
    const waiting = s.current(sub).status?.containerStatuses?.[0]?.state as { waiting?: { reason?: string; message?: string } } | undefined;
    expect(waiting?.waiting?.reason).toBe('CreateContainerConfigError');
    expect(waiting?.waiting?.message).toContain('subPath on the memory-backed volume "m" is not supported');
    // Hostile or absurd sizeLimits never reach the runtime as such: the node's allocatable memory caps them.
    for (const [i, sizeLimit] of ['1e999', '-5Mi', '99999999999999999999Ei', 'abc'].entries()) {
      const odd = pod({ volumes: [{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit } }] } as Partial<Pod['spec']>, `odd${i}`);
      s.client.seed(pods, odd);
      await settle(s, odd);
      expect(s.runtime.volumes.get(`kubette-odd${i}-uid-m`)?.sizeBytes).toBe(4 * 1024 * 1024 * 1024);
    }
  });

  it('never starts the containers of a pod whose deletion comes while its sandbox is being made, and deletes it at once', async () => {
    const s = setup();
    const { making, release } = holdSandbox(s);
    const workers = new PodWorkers(s.syncer, s.deps.log);
    const p = pod({ terminationGracePeriodSeconds: 30 });
    s.client.seed(pods, p);
    workers.update(p);
    await making;
    workers.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } });
    release();
    // The worker's next pass terminates the pod: no grace period to wait, nothing was started.
    await vi.waitFor(() => expect(s.client.writes('pods').filter((a) => a.verb === 'delete')).toEqual([expect.objectContaining({ name: 'web' })]));
    await workers.drain();
    expect(s.runtime.calls.filter((c) => c.startsWith('create') || c.startsWith('start'))).toEqual([]);
    expect(s.runtime.all()).toEqual([]);
  });

  it('a pod updated but not deleted while its sandbox is being made still starts', async () => {
    const s = setup();
    const { making, release } = holdSandbox(s);
    const workers = new PodWorkers(s.syncer, s.deps.log);
    const p = pod();
    s.client.seed(pods, p);
    workers.update(p);
    await making;
    workers.update({ ...p, metadata: { ...p.metadata, labels: { touched: 'yes' } } });
    release();
    await vi.waitFor(() => expect(s.runtime.calls).toContain('start app'));
    await workers.drain();
  });

  it('replaces a sandbox that died and starts the containers again inside the new one', async () => {
    const s = setup();
    const p = pod();
    s.client.seed(pods, p);
    await settle(s, p);
    const [first] = await s.runtime.listPodSandboxes();
    await s.runtime.stopPodSandbox(first!.id); // the pause process died: its containers die with it
    await settle(s, p);
    const sandboxes = await s.runtime.listPodSandboxes();
    const current = sandboxes.find((x) => x.state === 'ready')!;
    expect(current.metadata.attempt).toBe(1);
    const running = (await s.runtime.listContainers({ podSandboxId: current.id })).filter((c) => c.state === 'running');
    expect(running.map((c) => [c.metadata.name, c.metadata.attempt])).toEqual([['app', 1]]);
    expect(s.current(p).status!.podIP).toBe(current.ip);
  });

  it('adopts what a previous kubelet started: a new syncer on the same runtime changes nothing', async () => {
    const s = setup();
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
    s.runtime.behaviour = (config) => (config.labels['io.kubette.container.kind'] === 'init' ? { exitCode: 0 } : undefined);
    s.client.seed(pods, p);
    await settle(s, p);
    const before = s.runtime.calls.length;
    const restarted = new PodSyncer(s.deps);
    const latest = s.current(p);
    await restarted.sync({ ...p, status: latest.status, metadata: { ...p.metadata, resourceVersion: latest.metadata.resourceVersion } });
    expect(s.runtime.calls.slice(before)).toEqual([]);
    expect(s.current(p).status!.containerStatuses![0]!.restartCount).toBe(0);
  });

  it('runs a hostNetwork pod without a pod address of its own and reports the host IP as its IP', async () => {
    const s = setup();
    const p = pod({ hostNetwork: true });
    s.client.seed(pods, p);
    await settle(s, p);
    const [sandbox] = await s.runtime.listPodSandboxes();
    expect(sandbox!.ip).toBeUndefined();
    expect(s.current(p).status!.podIP).toBe('127.0.0.1');
  });
});

describe('activeDeadline', () => {
  const withDeadline = (seconds: number | undefined, status: Pod['status'] = {}) =>
    ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [], activeDeadlineSeconds: seconds }, status }) as Pod;

  it('counts from the startTime, or from now for a pod not started yet', () => {
    const start = Date.parse('2026-12-01T10:00:00Z');
    expect(activeDeadline(withDeadline(30, { startTime: '2026-12-01T10:00:00Z' }), start + 5000)).toBe(start + 30_000);
    expect(activeDeadline(withDeadline(30), 1000)).toBe(31_000);
  });

  it('has none without activeDeadlineSeconds or once the pod has finished', () => {
    expect(activeDeadline(withDeadline(undefined), 0)).toBeUndefined();
    expect(activeDeadline(withDeadline(30, { phase: 'Failed' }), 0)).toBeUndefined();
  });
});

describe('pod sync with sidecars and deadlines, on the in-memory runtime', () => {
  const withSidecar = (restartPolicy: Pod['spec']['restartPolicy']) =>
    pod({
      restartPolicy,
      initContainers: [
        { name: 'proxy', image: 'busybox', restartPolicy: 'Always' },
        { name: 'migrate', image: 'busybox' },
      ],
      containers: [{ name: 'job', image: 'busybox' }],
    });

  it('runs a sidecar beside the app, and stops it after the app when the app is done', async () => {
    const s = setup();
    // The migration and the job finish; the proxy runs until stopped.
    s.runtime.behaviour = (spec) => (spec.metadata.name === 'migrate' || spec.metadata.name === 'job' ? { exitCode: 0 } : undefined);
    const p = withSidecar('Never');
    s.client.seed(pods, p);
    await settle(s, p, 8);
    expect(s.runtime.calls.filter((c) => c.startsWith('start') || c.startsWith('stop ') || c === 'run sandbox')).toEqual([
      'run sandbox',
      'start proxy',
      'start migrate',
      'start job',
      'stop proxy',
      'stop sandbox',
    ]);
    const status = s.current(p).status!;
    expect(status.phase).toBe('Succeeded');
    expect(status.initContainerStatuses!.map((c) => [c.name, states(c).state.terminated?.exitCode])).toEqual([
      ['proxy', 137],
      ['migrate', 0],
    ]);
  });

  it('stops the regular containers before the sidecars when a pod is deleted', async () => {
    const s = setup();
    s.runtime.behaviour = (spec) => (spec.metadata.name === 'migrate' ? { exitCode: 0 } : undefined);
    const p = withSidecar('Always');
    s.client.seed(pods, p);
    await settle(s, p, 8);
    expect(s.current(p).status!.phase).toBe('Running');
    const before = s.runtime.calls.length;
    await s.syncer.sync({ ...s.current(p), metadata: { ...s.current(p).metadata, deletionTimestamp: '2026-12-06T00:00:00Z', deletionGracePeriodSeconds: 0 } });
    expect(s.runtime.calls.slice(before).filter((c) => c.startsWith('stop'))).toEqual(['stop job', 'stop proxy', 'stop sandbox']);
  });

  it('fails a pod active longer than its activeDeadlineSeconds and stops its containers', async () => {
    const s = setup();
    const p = pod({ activeDeadlineSeconds: 5 });
    s.client.seed(pods, p);
    await settle(s, p);
    expect(s.current(p).status!.phase).toBe('Running');
    // Started long ago: the next sync finds the deadline passed.
    const old = { ...s.current(p), status: { ...s.current(p).status, startTime: '2026-01-01T00:00:00Z' } };
    await s.syncer.sync(old);
    expect(s.runtime.calls.at(-1)).toBe('stop sandbox');
    expect(s.current(p).status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    // A finished pod's readiness, as the kubelet reports it for a terminal phase.
    expect(s.current(p).status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(states(s.current(p).status!.containerStatuses![0]!).state.terminated?.exitCode).toBe(137);
  });
});

describe('a pod the node ends itself (eviction)', () => {
  it('stops it within the grace given, fails it Evicted with DisruptionTarget, and never runs it again, even from a stale copy', async () => {
    const s = setup();
    const p = pod();
    s.client.seed(pods, p);
    await settle(s, p);
    const running = s.current(p);
    expect(running.status!.phase).toBe('Running');
    const message = 'The node was low on resource: memory. ';
    s.syncer.end(p.metadata.uid!, { graceSeconds: 1, reason: 'Evicted', message, condition: { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message } });
    await s.syncer.sync(running);
    expect(s.runtime.calls.filter((c) => c.startsWith('stop'))).toEqual(['stop app', 'stop sandbox']);
    const ended = s.current(p).status!;
    expect(ended).toMatchObject({ phase: 'Failed', reason: 'Evicted', message });
    expect(ended.conditions!.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet', message });
    expect(ended.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(states(ended.containerStatuses![0]!).state.terminated).toBeDefined();
    expect(await s.syncer.stopped(p.metadata.uid!)).toBe(true);
    // A pass with the pod as it was before (the watch not caught up), then with it as it is now.
    const before = s.runtime.calls.length;
    await s.syncer.sync(running);
    await settle(s, p);
    expect(s.runtime.calls.slice(before).filter((c) => c.startsWith('start') || c.startsWith('run'))).toEqual([]);
    expect(s.current(p).status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
  });
});

describe('readiness while a pod is terminated', () => {
  it('keeps probing, and reports the pod not Ready before its containers are gone', async () => {
    const s = setup();
    let ready = true;
    s.runtime.onExec = () => ({ exitCode: ready ? 0 : 1 });
    const p = pod({ terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'busybox', readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }] });
    s.client.seed(pods, p);
    await settle(s, p);
    const isReady = () => s.current(p).status?.conditions?.find((c) => c.type === 'Ready')?.status;
    await vi.waitFor(async () => {
      await s.syncer.sync({ ...p, status: s.current(p).status, metadata: { ...p.metadata, resourceVersion: s.current(p).metadata.resourceVersion } });
      expect(isReady()).toBe('True');
    }, { timeout: 5000, interval: 200 });

    // The container takes its time to stop (as one that traps SIGTERM); meanwhile it turns unready.
    let release!: () => void;
    const stopping = new Promise<void>((r) => (release = r));
    const stop = s.runtime.stopContainer.bind(s.runtime);
    s.runtime.stopContainer = async (id, timeout) => {
      await stopping;
      return stop(id, timeout);
    };
    const deleted = { ...s.current(p), metadata: { ...s.current(p).metadata, deletionTimestamp: '2026-12-06T00:00:00Z', deletionGracePeriodSeconds: 30 } };
    const terminated = s.syncer.sync(deleted);
    ready = false;
    await vi.waitFor(() => expect(isReady()).toBe('False'), { timeout: 5000, interval: 100 });
    expect(s.runtime.calls.filter((c) => c.startsWith('remove'))).toEqual([]); // still there
    release();
    await terminated;
  });
});
