import { describe, expect, it } from 'vitest';
import { summarizePod } from './printers.js';
import type { KubeObject } from './types/meta.js';

const running = (name: string, over: Record<string, unknown> = {}) => ({ name, ready: true, started: true, restartCount: 0, state: { running: {} }, lastState: {}, ...over });
const done = (name: string, exitCode = 0, reason = exitCode === 0 ? 'Completed' : 'Error') => ({ name, ready: exitCode === 0, started: false, restartCount: 0, state: { terminated: { exitCode, reason } }, lastState: {} });

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...meta }, spec, status };
}

const sidecarSpec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }, { name: 'migrate' }], containers: [{ name: 'app' }] };
const initialized = { type: 'Initialized', status: 'True' };
const readyCond = { type: 'Ready', status: 'True' };

describe('summarizePod (the READY and STATUS columns of kubectl get pods)', () => {
  it('shows a pod held back by scheduling gates as SchedulingGated', () => {
    const gatedCondition = { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' };
    expect(summarizePod(pod(sidecarSpec, { phase: 'Pending', conditions: [gatedCondition] })).status).toBe('SchedulingGated');
  });

  it('counts a sidecar among the containers and its readiness among the ready', () => {
    const s = summarizePod(pod(sidecarSpec, { phase: 'Running', conditions: [initialized, readyCond], initContainerStatuses: [running('proxy'), done('migrate')], containerStatuses: [running('app')] }));
    expect(s).toMatchObject({ ready: '2/2', status: 'Running' });
  });

  it('shows initialization in progress while the init container after a started sidecar runs', () => {
    const s = summarizePod(pod(sidecarSpec, { phase: 'Pending', initContainerStatuses: [running('proxy'), running('migrate', { ready: false })], containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } }, lastState: {} }] }));
    expect(s).toMatchObject({ ready: '1/2', status: 'Init:1/2' });
  });

  it('shows a finished job pod Completed even when its sidecar was killed, and counts only sidecar and app restarts then', () => {
    const s = summarizePod(
      pod(sidecarSpec, {
        phase: 'Succeeded',
        conditions: [initialized],
        initContainerStatuses: [{ ...done('proxy', 137), restartCount: 2 }, { ...done('migrate'), restartCount: 5 }],
        containerStatuses: [done('app')],
      }),
    );
    expect(s.ready).toBe('0/2');
    expect(s.status).toBe('Completed');
    expect(s.restarts.count).toBe(2);
  });

  it('says Terminating for a pod being deleted, unless it has already finished', () => {
    const status = { phase: 'Running', conditions: [readyCond], containerStatuses: [running('app')] };
    expect(summarizePod(pod({ containers: [{ name: 'app' }] }, status, { deletionTimestamp: '2026-12-06T00:00:00Z' })).status).toBe('Terminating');
    const finished = { phase: 'Failed', reason: 'DeadlineExceeded', containerStatuses: [done('app', 137)] };
    expect(summarizePod(pod({ containers: [{ name: 'app' }] }, finished, { deletionTimestamp: '2026-12-06T00:00:00Z' })).status).toBe('Error');
  });
});
