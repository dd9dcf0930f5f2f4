import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { NodeAdmission } from './admission.js';

const pod = (uid: string, cpu: string, memory = '0', extra: Partial<Pod['status']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: uid, namespace: 'ns', uid },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu, memory } } }] },
  status: { phase: 'Pending', ...extra },
});

describe('node admission', () => {
  it('admits pods while the node\'s allocatable holds their requests, and rejects the next with Kubernetes\' reason and message', () => {
    const pods: Pod[] = [];
    const a = new NodeAdmission(() => pods, () => ({ cpu: '2', memory: '1Gi', pods: '3' }));
    const first = pod('a', '1500m');
    pods.push(first);
    expect(a.check(first)).toBeUndefined();
    const second = pod('b', '600m');
    pods.push(second);
    expect(a.check(second)).toEqual({ reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 600, used: 1500, capacity: 2000" });
    const big = pod('c', '0', '2Gi');
    expect(a.check(big)).toEqual({ reason: 'OutOfmemory', message: `Node didn't have enough resource: memory, requested: ${2 * 2 ** 30}, used: 0, capacity: ${2 ** 30}` });
  });

  it('judges a pod once: one already started counts as admitted (a restarted kubelet keeps it), finished ones free their share', () => {
    const running = pod('r', '1500m', '0', { phase: 'Running', startTime: '2026-12-02T00:00:00Z' });
    const done = pod('d', '1', '0', { phase: 'Succeeded', startTime: '2026-12-02T00:00:00Z' });
    const pods = [running, done];
    const a = new NodeAdmission(() => pods, () => ({ cpu: '2', pods: '110' }));
    expect(a.check(running)).toBeUndefined();
    expect(a.check(pod('n', '500m'))).toBeUndefined();
    expect(a.check(pod('m', '100m'))?.reason).toBeUndefined();
  });

  it('counts ephemeral storage and the extended resources the node advertises; one it does not advertise is not judged', () => {
    const wants = (uid: string, requests: Record<string, string>): Pod => ({ ...pod(uid, '0'), spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }] } });
    const pods: Pod[] = [];
    const a = new NodeAdmission(() => pods, () => ({ cpu: '2', pods: '110', 'ephemeral-storage': '1Gi', 'example.com/gpu': '1' }));
    const first = wants('g1', { 'example.com/gpu': '1', 'ephemeral-storage': '600Mi' });
    pods.push(first);
    expect(a.check(first)).toBeUndefined();
    expect(a.check(wants('g2', { 'example.com/gpu': '1' }))).toEqual({ reason: 'OutOfexample.com/gpu', message: "Node didn't have enough resource: example.com/gpu, requested: 1, used: 1, capacity: 1" });
    expect(a.check(wants('s2', { 'ephemeral-storage': '600Mi' }))?.reason).toBe('OutOfephemeral-storage');
    expect(a.check(wants('f1', { 'example.com/fpga': '4' }))).toBeUndefined();
  });

  it('refuses first what the node refuses under resource pressure', () => {
    const a = new NodeAdmission(() => [], () => ({ cpu: '2' }), (p) => (p.metadata.name === 'be' ? { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' } : undefined));
    expect(a.check(pod('be', '0'))).toEqual({ reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
    expect(a.check(pod('ok', '100m'))).toBeUndefined();
  });

  it('counts pods against the node\'s pod limit', () => {
    const started = (uid: string) => pod(uid, '0', '0', { phase: 'Running', startTime: '2026-12-02T00:00:00Z' });
    const pods = [started('a'), started('b')];
    const a = new NodeAdmission(() => pods, () => ({ cpu: '2', pods: '2' }));
    expect(a.check(pod('c', '0'))).toEqual({ reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2" });
  });
});
