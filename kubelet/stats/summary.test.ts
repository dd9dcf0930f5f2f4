import { describe, expect, it } from 'vitest';
import type { Usage } from './collector.js';
import { collectUsage } from './collector.js';
import { parseNetDev } from './node-network.js';
import { CPURates, summaryOf } from './summary.js';
import { MemoryRuntime } from '../runtime/memory.js';
import { LABEL_NODE, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pod/observed.js';

const T0 = Date.parse('2026-12-06T10:00:00.400Z');

function usage(at: number, cpu: { node: number; a: number; b: number }): Usage {
  const stats = (used: number) => ({ timestamp: at, cpuUsageCoreNanoSeconds: used, memoryWorkingSetBytes: 1000 });
  return {
    node: { timestamp: at, cpuUsageCoreNanoSeconds: cpu.node, memoryWorkingSetBytes: 5000 },
    pods: [{ uid: 'u1', namespace: 'ns', name: 'web', containers: [{ name: 'a', startedAt: T0 - 60_000, stats: stats(cpu.a) }, { name: 'b', stats: stats(cpu.b) }] }],
    failed: false,
  };
}

describe('the Summary API', () => {
  it('reports the node, each pod (the sum of its containers) and each container, in stats/v1alpha1 shape', () => {
    const s = summaryOf('n1', T0 - 3_600_000, usage(T0, { node: 9e9, a: 2e9, b: 1e9 }), new CPURates(), (uid) => (uid === 'u1' ? '2026-12-06T09:58:00Z' : undefined));
    expect(s.node).toEqual({ nodeName: 'n1', startTime: '2026-12-06T09:00:00Z', cpu: { time: '2026-12-06T10:00:00Z', usageCoreNanoSeconds: 9e9 }, memory: { time: '2026-12-06T10:00:00Z', workingSetBytes: 5000 } });
    expect(s.pods).toHaveLength(1);
    const pod = s.pods[0]!;
    expect(pod.podRef).toEqual({ name: 'web', namespace: 'ns', uid: 'u1' });
    expect(pod.startTime).toBe('2026-12-06T09:58:00Z');
    expect(pod.cpu.usageCoreNanoSeconds).toBe(3e9);
    expect(pod.memory.workingSetBytes).toBe(2000);
    expect(pod.containers.map((c) => [c.name, c.startTime, c.cpu.usageCoreNanoSeconds])).toEqual([
      ['a', '2026-12-06T09:59:00Z', 2e9],
      ['b', undefined, 1e9],
    ]);
  });

  it("adds the node's filesystem, image filesystem and process ids when they were observed", () => {
    const o = new Map([
      ['memory.available', { available: 3000, capacity: 8000 }],
      ['nodefs.available', { available: 40, capacity: 100 }],
      ['nodefs.inodesFree', { available: 7, capacity: 10 }],
      ['imagefs.available', { available: 40, capacity: 100 }],
      ['imagefs.inodesFree', { available: 7, capacity: 10 }],
      ['pid.available', { available: 32000, capacity: 32768 }],
    ] as const);
    const s = summaryOf('n1', T0, usage(T0, { node: 1, a: 1, b: 1 }), new CPURates(), () => undefined, new Map(o));
    const fs = { time: '2026-12-06T10:00:00Z', availableBytes: 40, capacityBytes: 100, usedBytes: 60, inodesFree: 7, inodes: 10, inodesUsed: 3 };
    expect(s.node).toMatchObject({ memory: { availableBytes: 3000, workingSetBytes: 5000 }, fs, runtime: { imageFs: fs }, rlimit: { time: '2026-12-06T10:00:00Z', maxpid: 32768, curproc: 768 } });
  });

  it("adds each pod's local storage, its emptyDir volumes and its containers' writable layers, on the node's filesystems", () => {
    const o = new Map([
      ['nodefs.available', { available: 40, capacity: 100 }],
      ['nodefs.inodesFree', { available: 7, capacity: 10 }],
      ['imagefs.available', { available: 50, capacity: 200 }],
      ['imagefs.inodesFree', { available: 8, capacity: 20 }],
    ] as const);
    const storage = new Map([['u1', { containers: [{ name: 'a', diskBytes: 4096 }], volumes: new Map([['cache', 8192]]), volumeInodes: new Map([['cache', 3]]), disk: { bytes: 16384, inodes: 9 } }]]);
    const s = summaryOf('n1', T0, usage(T0, { node: 1, a: 1, b: 1 }), new CPURates(), () => undefined, new Map(o), storage);
    const pod = s.pods[0]!;
    const time = '2026-12-06T10:00:00Z';
    expect(pod['ephemeral-storage']).toEqual({ time, availableBytes: 40, capacityBytes: 100, usedBytes: 16384, inodesFree: 7, inodes: 10, inodesUsed: 9 });
    expect(pod.volume).toEqual([{ time, availableBytes: 40, capacityBytes: 100, usedBytes: 8192, inodesFree: 7, inodes: 10, inodesUsed: 3, name: 'cache' }]);
    expect(pod.containers[0]!.rootfs).toEqual({ time, availableBytes: 50, capacityBytes: 200, usedBytes: 4096, inodesFree: 8, inodes: 20 });
    // Not measured: left out.
    expect(pod.containers[1]!.rootfs).toBeUndefined();
    expect(summaryOf('n1', T0, usage(T0, { node: 1, a: 1, b: 1 }), new CPURates(), () => undefined).pods[0]).not.toHaveProperty('ephemeral-storage');
  });

  it('gives CPU rates in nanocores from the previous scrape, none on the first or after a counter went back', () => {
    const rates = new CPURates();
    const first = summaryOf('n1', T0, usage(T0, { node: 10e9, a: 1e9, b: 0 }), rates, () => undefined);
    expect(first.node.cpu?.usageNanoCores).toBeUndefined();
    // 2 s later: the node used 3 core-seconds (1.5 cores), container a half a core, b restarted.
    const second = summaryOf('n1', T0, usage(T0 + 2000, { node: 13e9, a: 2e9, b: 0 }), rates, () => undefined);
    expect(second.node.cpu?.usageNanoCores).toBe(1.5e9);
    expect(second.pods[0]!.containers[0]!.cpu.usageNanoCores).toBe(0.5e9);
    expect(second.pods[0]!.cpu.usageNanoCores).toBe(0.5e9);
    const third = summaryOf('n1', T0, usage(T0 + 4000, { node: 14e9, a: 0.1e9, b: 0 }), rates, () => undefined);
    expect(third.pods[0]!.containers[0]!.cpu.usageNanoCores).toBeUndefined();
    expect(third.node.cpu?.usageNanoCores).toBe(0.5e9);
  });

  it("reports the node's interfaces and each pod's (its sandbox's), eth0's figures at the top, as Kubernetes does", async () => {
    const runtime = new MemoryRuntime();
    const sandbox = (uid: string, name: string) => runtime.runPodSandbox({ metadata: { name, namespace: 'ns', uid, attempt: 0 }, hostname: name, labels: { [LABEL_NODE]: 'n1', [LABEL_POD_UID]: uid }, hostNetwork: false, hostIPC: false, hostPID: false, sysctls: {}, portMappings: [], hostAliases: [] });
    const web = await sandbox('u1', 'web');
    await sandbox('u2', 'idle');
    runtime.networkUsage.set(web, [{ name: 'eth0', rxBytes: 1200, rxErrors: 1, txBytes: 3400, txErrors: 0 }]);
    runtime.addImage('busybox');
    const c = await runtime.createContainer(web, { metadata: { name: 'a', attempt: 0 }, image: 'busybox', labels: { [LABEL_NODE]: 'n1', [LABEL_POD_UID]: 'u1', [LABEL_POD_NAME]: 'web', [LABEL_POD_NAMESPACE]: 'ns' } } as never, {} as never);
    await runtime.startContainer(c);
    const node = [{ name: 'ens4', rxBytes: 10, rxErrors: 0, txBytes: 20, txErrors: 0 }, { name: 'eth0', rxBytes: 100, rxErrors: 2, txBytes: 200, txErrors: 3 }];
    const used = await collectUsage(runtime, 'n1', async () => ({ timestamp: T0, cpuUsageCoreNanoSeconds: 1, memoryWorkingSetBytes: 1 }), async () => node);
    const s = summaryOf('n1', T0, used, new CPURates(), () => undefined);
    expect(s.node.network).toEqual({ time: expect.any(String), name: 'eth0', rxBytes: 100, rxErrors: 2, txBytes: 200, txErrors: 3, interfaces: node });
    expect(s.pods.map((p) => [p.podRef.name, p.network])).toEqual([['web', { time: expect.any(String), name: 'eth0', rxBytes: 1200, rxErrors: 1, txBytes: 3400, txErrors: 0, interfaces: [{ name: 'eth0', rxBytes: 1200, rxErrors: 1, txBytes: 3400, txErrors: 0 }] }]]);
    // /metrics/resource collects no network: no sandbox is read.
    expect((await collectUsage(runtime, 'n1', async () => ({ timestamp: T0, cpuUsageCoreNanoSeconds: 1, memoryWorkingSetBytes: 1 }))).pods[0]!.network).toBeUndefined();
  });

  it("reads /proc/net/dev's counters, leaving out loopback and the runtime's own interfaces", () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 500 5 0 0 0 0 0 0 500 5 0 0 0 0 0 0',
      '  eth0: 1000 10 1 0 0 0 0 0 2000 20 2 0 0 0 0 0',
      'veth12ab: 7 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0',
      'docker0: 9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0',
      ' ens4: 30 3 0 0 0 0 0 0 40 4 0 0 0 0 0 0',
      'junk: not numbers',
    ].join('\n');
    expect(parseNetDev(text)).toEqual([
      { name: 'ens4', rxBytes: 30, rxErrors: 0, txBytes: 40, txErrors: 0 },
      { name: 'eth0', rxBytes: 1000, rxErrors: 1, txBytes: 2000, txErrors: 2 },
    ]);
  });
});
