import { describe, expect, it } from 'vitest';
import type { Pod, PodCondition } from '../../api/types/pod.js';
import type { ObservedContainer } from './observed.js';
import { computePodStatus, type StatusInput } from './status.js';

const NOW = '2026-11-23T10:00:00Z';

function pod(spec: Partial<Pod['spec']> = {}, status: Pod['status'] = {}): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], ...spec }, status };
}

function c(kind: ObservedContainer['kind'], name: string, over: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `${name}-${over.attempt ?? 0}`,
    name,
    kind,
    attempt: 0,
    hash: '',
    sandboxId: 'sb',
    state: 'running',
    exitCode: 0,
    oomKilled: false,
    image: 'busybox:1.36',
    imageID: 'sha256:abc',
    startedAt: '2026-11-23T09:59:00.123456789Z',
    ...over,
  };
}
const sandbox = () => ({ ...c('sandbox', 'POD'), id: 'sb', ip: '172.18.0.5' });

function status(p: Pod, containers: ObservedContainer[], extra: Partial<StatusInput> = {}) {
  return computePodStatus({ pod: p, containers, waiting: {}, ready: new Map(), started: new Map(), hostIP: '127.0.0.1', now: NOW, runtime: 'docker', ...extra });
}

const cond = (s: ReturnType<typeof status>, type: string) => s.conditions!.find((x) => x.type === type)?.status;

describe('computePodStatus', () => {
  it('ends a deleted pod Succeeded when every container exited 0, else Failed, whatever its restart policy', () => {
    const stopped = (code: number) => ({ state: 'exited' as const, exitCode: code, finishedAt: '2026-11-23T09:59:30Z' });
    const always = pod({ restartPolicy: 'Always' });
    expect(status(always, [sandbox(), c('app', 'app', stopped(137))], { terminating: true }).phase).toBe('Failed');
    expect(status(always, [sandbox(), c('app', 'app', stopped(0))], { terminating: true }).phase).toBe('Succeeded');
    // Not deleted, the same containers: a restarting pod is still Running.
    expect(status(always, [sandbox(), c('app', 'app', stopped(0))]).phase).toBe('Running');
  });

  it('is Ready only once every readiness gate has its condition True', () => {
    const gated = (conditions: PodCondition[]) =>
      status(pod({ readinessGates: [{ conditionType: 'lb.example.com/registered' }, { conditionType: 'warm' }] }, { conditions }), [sandbox(), c('app', 'app')], { ready: new Map([['app', true]]) });
    const missing = gated([]);
    expect(missing.conditions!.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "lb.example.com/registered" does not exist., corresponding condition of pod readiness gate "warm" does not exist.',
    });
    expect(cond(missing, 'ContainersReady')).toBe('True');
    const half = gated([{ type: 'lb.example.com/registered', status: 'True' }, { type: 'warm', status: 'False' }]);
    expect(half.conditions!.find((x) => x.type === 'Ready')!.message).toBe('the status of pod readiness gate "warm" is not "True", but False');
    expect(cond(gated([{ type: 'lb.example.com/registered', status: 'True' }, { type: 'warm', status: 'True' }]), 'Ready')).toBe('True');
  });

  it("keeps conditions others set (a preemption's DisruptionTarget) ahead of its own", () => {
    const disruption = { type: 'DisruptionTarget', status: 'True' as const, reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod', lastTransitionTime: NOW };
    const s = status(pod({}, { conditions: [{ type: 'Ready', status: 'False' }, disruption] }), [sandbox(), c('app', 'app')]);
    expect(s.conditions![0]).toEqual(disruption);
    expect(s.conditions!.map((x) => x.type)).toEqual(['DisruptionTarget', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  });

  it('reports a running pod: phase, IPs, container state in whole seconds, Ready', () => {
    const s = status(pod(), [sandbox(), c('app', 'app')]);
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('172.18.0.5');
    expect(s.podIPs).toEqual([{ ip: '172.18.0.5' }]);
    expect(s.hostIP).toBe('127.0.0.1');
    expect(s.containerStatuses![0]).toMatchObject({
      name: 'app',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-11-23T09:59:00Z' } },
      containerID: 'docker://app-0',
      imageID: 'docker://sha256:abc',
    });
    expect(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'].map((t) => cond(s, t))).toEqual(['True', 'True', 'True', 'True']);
  });

  it("reports ephemeral containers apart, never ready, without changing the pod's phase or readiness", () => {
    const p = pod({ ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36' }, { name: 'later', image: 'busybox:1.36' }] });
    const s = status(p, [sandbox(), c('app', 'app'), c('ephemeral', 'dbg', { state: 'exited', exitCode: 2, finishedAt: '2026-11-23T09:59:30Z' })]);
    expect(s.phase).toBe('Running');
    expect(cond(s, 'Ready')).toBe('True');
    expect(s.containerStatuses!.map((x) => x.name)).toEqual(['app']);
    const [dbg, later] = s.ephemeralContainerStatuses!;
    expect(dbg).toMatchObject({ name: 'dbg', ready: false, state: { terminated: { exitCode: 2, reason: 'Error' } } });
    expect(dbg).not.toHaveProperty('started');
    expect(later).toMatchObject({ name: 'later', ready: false, state: { waiting: { reason: 'ContainerCreating' } } });
    expect(status(pod(), [sandbox(), c('app', 'app')])).not.toHaveProperty('ephemeralContainerStatuses');
  });

  it('keeps a terminal phase and its reason: a rejected pod with no containers stays Failed, not Pending', () => {
    const rejected = pod({}, { phase: 'Failed', reason: 'SysctlForbidden', message: 'Pod was rejected: x' });
    const s = status(rejected, []);
    expect([s.phase, s.reason, s.message]).toEqual(['Failed', 'SysctlForbidden', 'Pod was rejected: x']);
    expect(cond(s, 'Ready')).toBe('False');
    // A running pod's reason and message are not carried over.
    const live = status(pod({}, { phase: 'Running', reason: 'Old', message: 'old' }), [sandbox(), c('app', 'app')]);
    expect([live.phase, live.reason, live.message]).toEqual(['Running', undefined, undefined]);
  });

  it('is Pending with ContainerCreating before anything runs', () => {
    const s = status(pod(), []);
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(cond(s, 'Ready')).toBe('False');
  });

  it("lists each container's mounts in its status, read-only ones not recursively so, waiting or running", () => {
    const mounts = [{ name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }, { name: 'data', mountPath: '/data' }];
    const p = pod({ containers: [{ name: 'app', image: 'busybox:1.36', volumeMounts: mounts }, { name: 'plain', image: 'busybox:1.36' }] });
    const expected = [
      { name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true, recursiveReadOnly: 'Disabled' },
      { name: 'data', mountPath: '/data' },
    ];
    for (const s of [status(p, []), status(p, [sandbox(), c('app', 'app'), c('app', 'plain')])]) {
      expect(s.containerStatuses!.find((x) => x.name === 'app')!.volumeMounts).toEqual(expected);
      expect(s.containerStatuses!.find((x) => x.name === 'plain')).not.toHaveProperty('volumeMounts');
    }
  });

  it('waits app containers with PodInitializing while init containers run', () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'x' }] });
    const s = status(p, [sandbox(), c('init', 'init')]);
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.conditions!.find((x) => x.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init]' });
  });

  it('keeps a pod not Ready until its readiness probe passes', () => {
    const p = pod({ containers: [{ name: 'app', image: 'x', readinessProbe: { exec: { command: ['true'] } } }] });
    const notYet = status(p, [sandbox(), c('app', 'app')]);
    expect(notYet.containerStatuses![0]!.ready).toBe(false);
    expect(notYet.conditions!.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    const ready = status(p, [sandbox(), c('app', 'app')], { ready: new Map([['app-0', true]]) });
    expect(cond(ready, 'Ready')).toBe('True');
  });

  it('shows a crash loop as waiting CrashLoopBackOff with the last exit, and the pod Running', () => {
    const s = status(pod(), [sandbox(), c('app', 'app', { state: 'exited', exitCode: 2, attempt: 3, finishedAt: '2026-11-23T09:59:30Z' })], {
      waiting: { app: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
    });
    expect(s.phase).toBe('Running');
    const cs = s.containerStatuses![0]!;
    expect(cs.restartCount).toBe(3);
    expect(cs.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } });
    expect(cs.lastState).toMatchObject({ terminated: { exitCode: 2, reason: 'Error', finishedAt: '2026-11-23T09:59:30Z' } });
  });

  it('shows the previous run as lastState of a restarted container', () => {
    const s = status(pod(), [sandbox(), c('app', 'app', { attempt: 1 }), c('app', 'app', { attempt: 0, state: 'exited', exitCode: 137, oomKilled: true })]);
    expect(s.containerStatuses![0]!.lastState).toMatchObject({ terminated: { exitCode: 137, reason: 'OOMKilled' } });
  });

  it('decides Succeeded and Failed by restartPolicy', () => {
    const done = (policy: 'Never' | 'OnFailure' | 'Always', code: number) =>
      status(pod({ restartPolicy: policy }), [sandbox(), c('app', 'app', { state: 'exited', exitCode: code })]).phase;
    expect(done('Never', 0)).toBe('Succeeded');
    expect(done('Never', 1)).toBe('Failed');
    expect(done('OnFailure', 0)).toBe('Succeeded');
    expect(done('Always', 0)).toBe('Running');
    const finished = status(pod({ restartPolicy: 'Never' }), [c('app', 'app', { state: 'exited', exitCode: 0 })]);
    expect(finished.conditions!.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('keeps startTime, PodScheduled and transition times it already reported', () => {
    const prior = pod({}, {
      startTime: '2026-11-23T09:00:00Z',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-23T08:59:59Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-23T09:00:05Z' },
      ],
    });
    const s = status(prior, [sandbox(), c('app', 'app')]);
    expect(s.startTime).toBe('2026-11-23T09:00:00Z');
    expect(s.conditions!.find((x) => x.type === 'PodScheduled')!.lastTransitionTime).toBe('2026-11-23T08:59:59Z');
    expect(s.conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime).toBe('2026-11-23T09:00:05Z');
    expect(s.conditions!.find((x) => x.type === 'Initialized')!.lastTransitionTime).toBe(NOW);
  });
});

describe('computePodStatus with sidecars', () => {
  const p = (over: Partial<Pod['spec']> = {}) =>
    pod({ restartPolicy: 'Never', initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } }, { name: 'migrate', image: 'y' }], ...over });

  it('is Pending and not Initialized until the init containers are through; a finished one is ready', () => {
    const s = status(p(), [sandbox(), c('init', 'proxy'), c('init', 'migrate')]);
    expect(s.phase).toBe('Pending');
    expect(s.conditions!.find((x) => x.type === 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [migrate]' });
    // A classic init container is never ready while it runs; a sidecar waits for its probe.
    expect(s.initContainerStatuses!.map((x) => [x.name, x.ready, x.started])).toEqual([['proxy', false, true], ['migrate', false, true]]);
    const done = status(p(), [sandbox(), c('init', 'proxy'), c('init', 'migrate', { state: 'exited' }), c('app', 'app')], { ready: new Map([['proxy-0', true]]) });
    expect(done.phase).toBe('Running');
    expect(cond(done, 'Initialized')).toBe('True');
    expect(done.initContainerStatuses!.map((x) => [x.name, x.ready])).toEqual([['proxy', true], ['migrate', true]]);
    expect(cond(done, 'Ready')).toBe('True');
  });

  it('is not Ready while a sidecar is not, and names it first', () => {
    const s = status(p(), [sandbox(), c('init', 'proxy'), c('init', 'migrate', { state: 'exited' }), c('app', 'app')], { ready: new Map([['proxy-0', false]]) });
    expect(s.conditions!.find((x) => x.type === 'ContainersReady')).toMatchObject({ status: 'False', message: 'containers with unready status: [proxy]' });
  });

  it('stays Running and Initialized while a sidecar restarts after the app has run', () => {
    const s = status(p(), [sandbox(), c('init', 'proxy', { state: 'exited', exitCode: 1 }), c('init', 'migrate', { state: 'exited' }), c('app', 'app')], { waiting: { proxy: { reason: 'CrashLoopBackOff' } } });
    expect(s.phase).toBe('Running');
    expect(cond(s, 'Initialized')).toBe('True');
  });

  it('ends Succeeded from the regular containers alone, however the sidecars were stopped', () => {
    const s = status(p(), [sandbox(), c('init', 'proxy', { state: 'exited', exitCode: 143 }), c('init', 'migrate', { state: 'exited' }), c('app', 'app', { state: 'exited', exitCode: 0 })]);
    expect(s.phase).toBe('Succeeded');
    const failed = status(p(), [sandbox(), c('init', 'proxy', { state: 'exited', exitCode: 0 }), c('init', 'migrate', { state: 'exited' }), c('app', 'app', { state: 'exited', exitCode: 2 })]);
    expect(failed.phase).toBe('Failed');
  });
});

describe('computePodStatus termination messages', () => {
  it("shows what a container left as its termination message, after the runtime's own word", () => {
    const p = pod({ restartPolicy: 'Never' });
    const s = status(p, [sandbox(), c('app', 'app', { state: 'exited', exitCode: 1, terminationMessage: 'config missing' })]);
    expect(s.containerStatuses![0]!.state).toMatchObject({ terminated: { exitCode: 1, reason: 'Error', message: 'config missing' } });
    const never = status(p, [sandbox(), c('app', 'app', { state: 'created', exitCode: 0, error: 'exec: "nope": not found', terminationMessage: 'x' })]);
    expect(never.containerStatuses![0]!.state).toMatchObject({ terminated: { reason: 'StartError', message: 'exec: "nope": not found: x' } });
    // Three containers share 12 KiB: 4 KiB each.
    const three = pod({ restartPolicy: 'Never', containers: ['a', 'b', 'c'].map((name) => ({ name, image: 'busybox:1.36' })) });
    const long = status(three, [sandbox(), c('app', 'a', { state: 'exited', terminationMessage: 'z'.repeat(5000) })]);
    expect((long.containerStatuses![0]!.state as { terminated: { message: string } }).terminated.message).toHaveLength(4096);
  });
});
