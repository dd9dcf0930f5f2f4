import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { containerHash, type ObservedContainer } from './observed.js';
import { computePodActions, goSeconds, type PlanInput } from './planner.js';

function pod(spec: Partial<Pod['spec']> = {}, status?: Pod['status']): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], restartPolicy: 'Always', ...spec },
    ...(status ? { status } : {}),
  };
}

let seq = 0;
function ctr(p: Pod, kind: ObservedContainer['kind'], name: string, over: Partial<ObservedContainer> = {}): ObservedContainer {
  const spec = [...(p.spec.initContainers ?? []), ...p.spec.containers].find((c) => c.name === name);
  return {
    id: `id${++seq}`,
    name,
    kind,
    attempt: 0,
    hash: spec ? containerHash(spec) : '',
    sandboxId: 'sb',
    state: 'running',
    exitCode: 0,
    oomKilled: false,
    image: 'busybox:1.36',
    imageID: 'sha256:x',
    startedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

function sandbox(over: Partial<ObservedContainer> = {}): ObservedContainer {
  return { ...ctr(pod(), 'sandbox', 'POD'), id: 'sb', ip: '172.18.0.2', ...over };
}

function plan(p: Pod, containers: ObservedContainer[], extra: Partial<PlanInput> = {}) {
  return computePodActions({ pod: p, containers, restartBackoff: () => 0, probeFailures: new Map(), started: new Map(), ...extra });
}

const starts = (a: ReturnType<typeof plan>) => a.start.map((s) => `${s.kind}:${s.container.name}#${s.attempt}`);

describe('computePodActions', () => {
  it('creates the sandbox and starts every app container of a new pod', () => {
    const p = pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] });
    const a = plan(p, []);
    expect(a.createSandbox).toEqual({ attempt: 0 });
    expect(starts(a)).toEqual(['app:a#0', 'app:b#0']);
    expect(a.killPod).toBe(false);
  });

  it('starts an ephemeral container once, even while init containers run, and never again', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'x' }], ephemeralContainers: [{ name: 'debugger', image: 'busybox:1.36', targetContainerName: 'app' }] });
    // Not before the sandbox runs: the next pass starts it.
    expect(starts(plan(p, []))).toEqual(['init:i1#0']);
    expect(starts(plan(p, [sandbox(), ctr(p, 'init', 'i1')]))).toEqual(['ephemeral:debugger#0']);
    const done = [sandbox(), ctr(p, 'init', 'i1', { state: 'exited' }), ctr(p, 'app', 'app')];
    expect(starts(plan(p, [...done, ctr(p, 'ephemeral', 'debugger', { state: 'exited', exitCode: 1 })]))).toEqual([]);
    // Exited in an earlier sandbox: still not started again, whatever the restart policy.
    expect(starts(plan(p, [sandbox({ id: 'sb2', attempt: 1 }), ctr(p, 'ephemeral', 'debugger', { state: 'exited', sandboxId: 'sb' })]))).toEqual(['init:i1#0']);
  });

  it('runs init containers one at a time, in order, before the app containers', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
    expect(starts(plan(p, []))).toEqual(['init:i1#0']);
    expect(starts(plan(p, [sandbox(), ctr(p, 'init', 'i1')]))).toEqual([]); // i1 still running
    expect(starts(plan(p, [sandbox(), ctr(p, 'init', 'i1', { state: 'exited' })]))).toEqual(['init:i2#0']);
    expect(starts(plan(p, [sandbox(), ctr(p, 'init', 'i1', { state: 'exited' }), ctr(p, 'init', 'i2', { state: 'exited' })]))).toEqual(['app:app#0']);
  });

  it('restarts a failed init container, or fails the pod with restartPolicy Never', () => {
    const init = { initContainers: [{ name: 'i1', image: 'x' }] };
    const failed = (p: Pod) => [sandbox(), ctr(p, 'init', 'i1', { state: 'exited', exitCode: 1 })];
    const always = pod(init);
    expect(starts(plan(always, failed(always)))).toEqual(['init:i1#1']);
    const never = pod({ ...init, restartPolicy: 'Never' });
    const a = plan(never, failed(never));
    expect(a.terminal).toBe(true);
    expect(a.start).toEqual([]);
  });

  it('reruns init containers when the sandbox is replaced', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'x' }] });
    const a = plan(p, [sandbox({ id: 'new', attempt: 1 }), ctr(p, 'init', 'i1', { state: 'exited', sandboxId: 'old' })]);
    expect(starts(a)).toEqual(['init:i1#1']);
  });

  it('keeps a running, unchanged container', () => {
    const p = pod();
    const a = plan(p, [sandbox(), ctr(p, 'app', 'app')]);
    expect(a.start).toEqual([]);
    expect(a.kill).toEqual([]);
  });

  it('restarts exits by restartPolicy', () => {
    const exit = (policy: 'Always' | 'OnFailure' | 'Never', code: number) => {
      const p = pod({ restartPolicy: policy });
      return plan(p, [sandbox(), ctr(p, 'app', 'app', { state: 'exited', exitCode: code, attempt: 2 })]);
    };
    expect(starts(exit('Always', 0))).toEqual(['app:app#3']);
    expect(starts(exit('OnFailure', 1))).toEqual(['app:app#3']);
    expect(starts(exit('OnFailure', 0))).toEqual([]);
    expect(exit('OnFailure', 0).terminal).toBe(true);
    expect(starts(exit('Never', 1))).toEqual([]);
    expect(exit('Never', 1).terminal).toBe(true);
    expect(exit('Always', 1).terminal).toBe(false);
  });

  it('holds a crashing container back while its back-off window lasts', () => {
    const p = pod();
    const a = plan(p, [sandbox(), ctr(p, 'app', 'app', { state: 'exited', exitCode: 1, attempt: 3 })], { restartBackoff: () => 40_000 });
    expect(a.start).toEqual([]);
    expect(a.waiting.app).toEqual({ reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_ns(u1)' });
  });

  it('replaces a container whose spec changed, and one that failed its liveness probe', () => {
    const p = pod();
    const changed = plan(p, [sandbox(), ctr(p, 'app', 'app', { hash: 'stale' })]);
    expect(changed.kill.map((k) => k.message)).toEqual(['Container app definition changed, will be restarted']);
    expect(starts(changed)).toEqual(['app:app#1']);
    const c = ctr(p, 'app', 'app');
    const dead = plan(p, [sandbox(), c], { probeFailures: new Map([[c.id, 'failed liveness probe']]) });
    expect(dead.kill).toEqual([{ id: c.id, name: 'app', message: 'Container app failed liveness probe, will be restarted' }]);
    expect(starts(dead)).toEqual(['app:app#1']);
  });

  it('recreates a dead sandbox and everything in it, but not for a Never pod that already ran', () => {
    const p = pod();
    const a = plan(p, [sandbox({ state: 'exited' }), ctr(p, 'app', 'app')]);
    expect(a.killPod).toBe(true);
    expect(a.createSandbox).toEqual({ attempt: 1 });
    expect(starts(a)).toEqual(['app:app#1']);
    const never = pod({ restartPolicy: 'Never' });
    const b = plan(never, [sandbox({ state: 'exited' }), ctr(never, 'app', 'app', { state: 'exited', exitCode: 137 })]);
    expect(b.createSandbox).toBeUndefined();
  });

  it('starts nothing for a pod already Succeeded or Failed, and stops what still runs', () => {
    const p = pod({}, { phase: 'Succeeded' });
    const a = plan(p, [sandbox()]);
    expect(a.terminal).toBe(true);
    expect(a.killPod).toBe(true);
    expect(a.start).toEqual([]);
  });

  it('removes exited containers older than the previous attempt', () => {
    const p = pod();
    const old = ctr(p, 'app', 'app', { state: 'exited', attempt: 0 });
    const prev = ctr(p, 'app', 'app', { state: 'exited', attempt: 1 });
    const cur = ctr(p, 'app', 'app', { attempt: 2 });
    const oldSandbox = sandbox({ id: 'sb0', attempt: 0, state: 'exited' });
    expect(plan(p, [sandbox({ attempt: 1 }), oldSandbox, old, prev, cur]).remove.sort()).toEqual([old.id, 'sb0'].sort());
  });
});

describe('goSeconds', () => {
  it('prints back-off windows as Go durations', () => {
    expect(goSeconds(10_000)).toBe('10s');
    expect(goSeconds(160_000)).toBe('2m40s');
    expect(goSeconds(300_000)).toBe('5m0s');
  });
});

describe('computePodActions with sidecars (init containers with restartPolicy Always)', () => {
  const sidecarPod = (over: Partial<Pod['spec']> = {}) =>
    pod({
      initContainers: [
        { name: 'proxy', image: 'x', restartPolicy: 'Always' },
        { name: 'migrate', image: 'y' },
      ],
      ...over,
    });

  it('starts the next init container once the sidecar runs, and the app once the rest succeeded', () => {
    const p = sidecarPod();
    expect(starts(plan(p, []))).toEqual(['init:proxy#0']);
    const proxy = ctr(p, 'init', 'proxy');
    expect(starts(plan(p, [sandbox(), proxy]))).toEqual(['init:migrate#0']);
    // The sidecar keeps running while the app starts.
    const migrated = ctr(p, 'init', 'migrate', { state: 'exited', exitCode: 0 });
    const a = plan(p, [sandbox(), proxy, migrated]);
    expect(starts(a)).toEqual(['app:app#0']);
    expect(a.kill).toEqual([]);
  });

  it('waits for a sidecar startup probe before the next init container', () => {
    const p = sidecarPod({ initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] } } }, { name: 'migrate', image: 'y' }] });
    const proxy = ctr(p, 'init', 'proxy');
    expect(starts(plan(p, [sandbox(), proxy]))).toEqual([]);
    expect(starts(plan(p, [sandbox(), proxy], { started: new Map([[proxy.id, true]]) }))).toEqual(['init:migrate#0']);
  });

  it('restarts an exited sidecar whatever the pod restartPolicy, during initialization and after', () => {
    const p = sidecarPod({ restartPolicy: 'Never' });
    const exited = ctr(p, 'init', 'proxy', { state: 'exited', exitCode: 0 });
    expect(starts(plan(p, [sandbox(), exited]))).toEqual(['init:proxy#1']);
    const running = [sandbox(), exited, ctr(p, 'init', 'migrate', { state: 'exited' }), ctr(p, 'app', 'app')];
    expect(starts(plan(p, running))).toEqual(['init:proxy#1']);
    // In its crash-loop window: waits, and says so.
    const waiting = plan(p, running, { restartBackoff: () => 10_000 });
    expect(starts(waiting)).toEqual([]);
    expect(waiting.waiting.proxy?.reason).toBe('CrashLoopBackOff');
  });

  it('replaces a sidecar whose liveness probe failed or whose spec changed', () => {
    const p = sidecarPod();
    const proxy = ctr(p, 'init', 'proxy');
    const done = [sandbox(), proxy, ctr(p, 'init', 'migrate', { state: 'exited' }), ctr(p, 'app', 'app')];
    const failed = plan(p, done, { probeFailures: new Map([[proxy.id, 'failed liveness probe']]) });
    expect(failed.kill).toEqual([{ id: proxy.id, name: 'proxy', message: 'Init container proxy failed liveness probe' }]);
    expect(starts(failed)).toEqual(['init:proxy#1']);
    const changed = plan(p, [sandbox(), { ...proxy, hash: 'old' }, ...done.slice(2)]);
    expect(changed.kill[0]?.message).toBe('Init container proxy definition changed');
  });

  it('never runs the classic init containers again once the app has run', () => {
    const p = sidecarPod();
    const a = plan(p, [sandbox(), ctr(p, 'init', 'proxy'), ctr(p, 'app', 'app')]);
    expect(starts(a)).toEqual([]);
  });

  it('ends the pod, sidecars included, when its regular containers finished for good', () => {
    const p = sidecarPod({ restartPolicy: 'Never' });
    const a = plan(p, [sandbox(), ctr(p, 'init', 'proxy', { state: 'exited', exitCode: 137 }), ctr(p, 'init', 'migrate', { state: 'exited' }), ctr(p, 'app', 'app', { state: 'exited', exitCode: 0 })]);
    expect(a.terminal).toBe(true);
    expect(a.killPod).toBe(true);
    // The exited sidecar is not started again for a pod that is done.
    expect(starts(a)).toEqual([]);
    // With OnFailure, a failed app container runs again, and so does its sidecar.
    const onFailure = sidecarPod({ restartPolicy: 'OnFailure' });
    const b = plan(onFailure, [sandbox(), ctr(onFailure, 'init', 'proxy'), ctr(onFailure, 'init', 'migrate', { state: 'exited' }), ctr(onFailure, 'app', 'app', { state: 'exited', exitCode: 1 })]);
    expect(b.terminal).toBe(false);
    expect(starts(b)).toEqual(['app:app#1']);
  });
});

describe('kills for failed probes', () => {
  it("use the probe's terminationGracePeriodSeconds when it sets one", () => {
    const p = pod({ containers: [{ name: 'app', image: 'x', livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 3 }, startupProbe: { exec: { command: ['true'] } } }] });
    const app = ctr(p, 'app', 'app');
    expect(plan(p, [sandbox(), app], { probeFailures: new Map([[app.id, 'failed liveness probe']]) }).kill[0]?.graceSeconds).toBe(3);
    // The startup probe sets none: the pod's applies.
    expect(plan(p, [sandbox(), app], { probeFailures: new Map([[app.id, 'failed startup probe']]) }).kill[0]?.graceSeconds).toBeUndefined();
  });
});
