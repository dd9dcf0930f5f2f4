import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types/pod.js';
import { finishedStatus, runMillis, runningStatus, RUN_SECONDS_ANNOTATION } from './pod-lifecycle.js';

const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], ...spec },
});

describe('simulated pod lifecycle', () => {
  it('runs restartPolicy Always pods for good, and others for their run time', () => {
    expect(runMillis(pod(), 5000)).toBeUndefined();
    expect(runMillis(pod({ restartPolicy: 'Never' }), 5000)).toBe(5000);
    expect(runMillis(pod({ restartPolicy: 'OnFailure' }, { [RUN_SECONDS_ANNOTATION]: '2.5' }), 5000)).toBe(2500);
    expect(runMillis(pod({ restartPolicy: 'Never' }, { [RUN_SECONDS_ANNOTATION]: '0' }), 5000)).toBeUndefined();
    expect(runMillis(pod({ restartPolicy: 'Never' }, { [RUN_SECONDS_ANNOTATION]: 'soon' }), 5000)).toBe(5000);
    // Hostile values: empty, infinite, negative, absurdly long (the queue caps its timers).
    expect(runMillis(pod({ restartPolicy: 'Never' }, { [RUN_SECONDS_ANNOTATION]: ' ' }), 5000)).toBe(5000);
    expect(runMillis(pod({ restartPolicy: 'Never' }, { [RUN_SECONDS_ANNOTATION]: '1e400' }), 5000)).toBe(5000);
    expect(runMillis(pod({ restartPolicy: 'Never' }, { [RUN_SECONDS_ANNOTATION]: '-3' }), 5000)).toBeUndefined();
    expect(runMillis(pod({ restartPolicy: 'Never' }, { [RUN_SECONDS_ANNOTATION]: '1e300' }), 5000)).toBe(1e303);
  });

  it('reports a running pod as a kubelet does: Ready, addresses, every container running', () => {
    const s = runningStatus(pod({ initContainers: [{ name: 'init', image: 'busybox:1.36' }] }), { hostIP: '127.64.0.1', podIP: '127.64.0.2' }, '2026-11-30T00:00:00Z');
    expect(s).toMatchObject({ phase: 'Running', hostIP: '127.64.0.1', podIP: '127.64.0.2', podIPs: [{ ip: '127.64.0.2' }], startTime: '2026-11-30T00:00:00Z' });
    expect(s.conditions!.filter((c) => c.status === 'True').map((c) => c.type).sort()).toEqual(['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
    expect(s.containerStatuses).toEqual([expect.objectContaining({ name: 'app', ready: true, started: true, state: { running: { startedAt: '2026-11-30T00:00:00Z' } }, containerID: 'simulated://u1-app' })]);
    expect(s.initContainerStatuses![0]!.state).toMatchObject({ terminated: { exitCode: 0, reason: 'Completed' } });
  });

  it("reports each container's mounts as the kubelet does, read-only ones not recursively so", () => {
    const mounted = pod({
      containers: [{ name: 'app', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] }],
      initContainers: [{ name: 'init', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/seed' }] }],
    });
    const running = runningStatus(mounted, { hostIP: '127.64.0.1', podIP: '127.64.0.2' }, '2026-11-30T00:00:00Z');
    const mounts = [{ name: 'data', mountPath: '/data' }, { name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true, recursiveReadOnly: 'Disabled' }];
    expect(running.containerStatuses![0]!.volumeMounts).toEqual(mounts);
    expect(running.initContainerStatuses![0]!.volumeMounts).toEqual([{ name: 'data', mountPath: '/seed' }]);
    expect(finishedStatus({ ...mounted, status: running }, 0, '2026-11-30T00:00:05Z').containerStatuses![0]!.volumeMounts).toEqual(mounts);
    expect(runningStatus(pod(), { hostIP: '127.64.0.1', podIP: '127.64.0.2' }, '2026-11-30T00:00:00Z').containerStatuses![0]).not.toHaveProperty('volumeMounts');
  });

  it('reports a finished pod as Succeeded or Failed with its exit code', () => {
    const running = { ...pod({ restartPolicy: 'Never' }), status: runningStatus(pod(), { hostIP: '127.64.0.1', podIP: '127.64.0.2' }, '2026-11-30T00:00:00Z') };
    const ok = finishedStatus(running, 0, '2026-11-30T00:00:05Z');
    expect(ok.phase).toBe('Succeeded');
    expect(ok.containerStatuses![0]!.state).toEqual({ terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-11-30T00:00:00Z', finishedAt: '2026-11-30T00:00:05Z', containerID: 'simulated://u1-app' } });
    expect(ok.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const failed = finishedStatus(running, 1, '2026-11-30T00:00:05Z');
    expect(failed.phase).toBe('Failed');
    expect(failed.containerStatuses![0]!.state).toMatchObject({ terminated: { exitCode: 1, reason: 'Error' } });
    expect(failed.podIP).toBe('127.64.0.2');
  });
});
