import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { EvictionManager, localStorageViolation, type Eviction } from './manager.js';
import type { Observations } from './observations.js';
import type { PodUsage } from './ranking.js';
import { parseThresholds, type Signal } from './thresholds.js';

const Mi = 1024 * 1024;

function pod(name: string, opts: { memoryRequest?: string; priority?: number; qos?: string; tolerations?: Pod['spec']['tolerations'] } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ...(opts.memoryRequest ? { resources: { requests: { memory: opts.memoryRequest } } } : {}) }],
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
      ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
    },
    status: { phase: 'Running', qosClass: (opts.qos ?? (opts.memoryRequest ? 'Burstable' : 'BestEffort')) as never, startTime: '2026-01-01T00:00:00Z' },
  } as Pod;
}

function harness(flags: { hard: string; soft?: string; softGracePeriod?: string; minimumReclaim?: string }, opts: { transitionMs?: number } = {}) {
  let now = 1_000_000;
  let observations: Observations = new Map();
  const pods: Pod[] = [];
  const usage = new Map<string, PodUsage>();
  const evicted: Array<{ pod: string } & Eviction> = [];
  const nodeEvents: string[] = [];
  const m = new EvictionManager(
    { thresholds: parseThresholds(flags), pressureTransitionMs: opts.transitionMs ?? 300_000, maxPodGraceSeconds: 0, monitoringMs: 10_000 },
    {
      observe: async () => observations,
      measure: async (ps) => new Map(ps.filter((p) => usage.has(p.metadata.uid!)).map((p) => [p.metadata.uid!, usage.get(p.metadata.uid!)!])),
      activePods: () => pods.filter((p) => !evicted.some((e) => e.pod === p.metadata.name)),
      evict: async (p, e) => void evicted.push({ pod: p.metadata.name!, ...e }),
      stopped: async () => true,
      podEvent: () => undefined,
      nodeEvent: (reason, message) => void nodeEvents.push(`${reason}: ${message}`),
      log: pino({ level: 'silent' }),
      now: () => now,
    },
  );
  return {
    m,
    pods,
    usage,
    evicted,
    nodeEvents,
    observe(signal: Signal, available: number, capacity: number) {
      observations = new Map(observations);
      observations.set(signal, { available, capacity });
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

const used = (memory: number, extra: Partial<PodUsage> = {}): PodUsage => ({ memory, containers: [{ name: 'c', memory }], volumes: new Map(), ...extra });

describe('eviction manager', () => {
  it('raises MemoryPressure under a hard threshold and evicts the pod most over its request first', async () => {
    const h = harness({ hard: 'memory.available<100Mi' });
    h.pods.push(pod('guaranteed-ish', { memoryRequest: '500Mi' }), pod('best-effort'), pod('burstable', { memoryRequest: '10Mi' }));
    h.usage.set('uid-guaranteed-ish', used(200 * Mi));
    h.usage.set('uid-best-effort', used(50 * Mi));
    h.usage.set('uid-burstable', used(300 * Mi));
    h.observe('memory.available', 500 * Mi, 8000 * Mi);
    expect(await h.m.synchronize()).toEqual([]);
    expect(h.m.conditions()).toEqual([]);

    h.observe('memory.available', 64 * Mi, 8000 * Mi);
    const first = await h.m.synchronize();
    expect(first.map((p) => p.metadata.name)).toEqual(['burstable']);
    expect(h.m.conditions()).toEqual(['MemoryPressure']);
    expect(h.nodeEvents).toEqual(['EvictionThresholdMet: Attempting to reclaim memory']);
    expect(h.evicted[0]).toEqual({
      pod: 'burstable',
      graceSeconds: 1,
      disruption: true,
      message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 64Mi. Container c was using 300Mi, request is 10Mi, has larger consumption of memory. ',
    });
    // best-effort is over its (zero) request; guaranteed-ish stays under its 500Mi, so it goes last.
    expect((await h.m.synchronize()).map((p) => p.metadata.name)).toEqual(['best-effort']);
    expect((await h.m.synchronize()).map((p) => p.metadata.name)).toEqual(['guaranteed-ish']);
  });

  it('ranks lower priority first among pods alike, and never evicts a critical pod', async () => {
    const h = harness({ hard: 'memory.available<100Mi' });
    h.pods.push(pod('critical', { priority: 2_000_001_000 }), pod('high', { priority: 1000 }), pod('low', { priority: -5 }));
    for (const p of h.pods) h.usage.set(p.metadata.uid!, used(100 * Mi));
    h.observe('memory.available', 10 * Mi, 8000 * Mi);
    expect((await h.m.synchronize()).map((p) => p.metadata.name)).toEqual(['low']);
    expect((await h.m.synchronize()).map((p) => p.metadata.name)).toEqual(['high']);
    expect(await h.m.synchronize()).toEqual([]);
    expect(h.evicted.map((e) => e.pod)).toEqual(['low', 'high']);
    expect(h.m.evictions).toEqual(new Map([['memory.available', 2]]));
  });

  it('waits out a soft threshold grace period and gives the pod its own grace', async () => {
    const h = harness({ hard: '', soft: 'memory.available<1Gi', softGracePeriod: 'memory.available=30s' });
    h.pods.push(pod('a'));
    h.usage.set('uid-a', used(Mi));
    h.observe('memory.available', 512 * Mi, 8000 * Mi);
    expect(await h.m.synchronize()).toEqual([]);
    // The condition is raised at once; pods go only after the grace period.
    expect(h.m.conditions()).toEqual(['MemoryPressure']);
    h.advance(29_000);
    expect(await h.m.synchronize()).toEqual([]);
    h.advance(1_000);
    expect((await h.m.synchronize()).map((p) => p.metadata.name)).toEqual(['a']);
    expect(h.evicted[0]!.graceSeconds).toBe(30);
  });

  it('keeps a met threshold until its minimum reclaim is free, and the condition for the transition period', async () => {
    const h = harness({ hard: 'memory.available<100Mi', minimumReclaim: 'memory.available=200Mi' }, { transitionMs: 60_000 });
    h.observe('memory.available', 50 * Mi, 8000 * Mi);
    await h.m.synchronize();
    expect(h.m.conditions()).toEqual(['MemoryPressure']);
    // Above the threshold, below threshold + reclaim: still met.
    h.observe('memory.available', 250 * Mi, 8000 * Mi);
    h.advance(10_000);
    await h.m.synchronize();
    h.observe('memory.available', 400 * Mi, 8000 * Mi);
    h.advance(10_000);
    await h.m.synchronize();
    // Resolved 10 s after it was last met; the condition stays for 60 s from then.
    h.advance(49_000);
    await h.m.synchronize();
    expect(h.m.conditions()).toEqual(['MemoryPressure']);
    h.advance(2_000);
    await h.m.synchronize();
    expect(h.m.conditions()).toEqual([]);
  });

  it('refuses BestEffort pods under memory pressure alone, every pod under disk pressure, critical pods never', async () => {
    const h = harness({ hard: 'memory.available<100Mi,nodefs.available<10%' });
    h.observe('memory.available', 50 * Mi, 8000 * Mi);
    h.observe('nodefs.available', 500, 1000);
    await h.m.synchronize();
    expect(h.m.admit(pod('burstable', { memoryRequest: '1Mi' }))).toBeUndefined();
    expect(h.m.admit(pod('be'))).toEqual({ reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
    expect(h.m.admit(pod('tolerant', { tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] }))).toBeUndefined();
    h.observe('nodefs.available', 50, 1000);
    await h.m.synchronize();
    expect(h.m.admit(pod('burstable', { memoryRequest: '1Mi' }))).toEqual({ reason: 'Evicted', message: 'The node had condition: [MemoryPressure DiskPressure]. ' });
    expect(h.m.admit(pod('critical', { priority: 2_000_000_000 }))).toBeUndefined();
  });

  it('reclaims memory before disk when both are short, and ranks disk by use over the request', async () => {
    const h = harness({ hard: 'memory.available<100Mi,nodefs.available<10%' });
    h.pods.push(pod('small'), pod('big'));
    h.usage.set('uid-small', { containers: [{ name: 'c', diskBytes: 1 }], volumes: new Map(), disk: { bytes: 10, inodes: 1 } });
    h.usage.set('uid-big', { containers: [{ name: 'c', diskBytes: 900 }], volumes: new Map(), disk: { bytes: 1000, inodes: 5 } });
    h.observe('nodefs.available', 50, 1000);
    expect((await h.m.synchronize()).map((p) => p.metadata.name)).toEqual(['big']);
    expect(h.evicted[0]!.message).toBe(
      'The node was low on resource: ephemeral-storage. Threshold quantity: 100, available: 50. Container c was using 900, request is 0, has larger consumption of ephemeral-storage. ',
    );
    h.observe('memory.available', 10 * Mi, 8000 * Mi);
    await h.m.synchronize();
    expect(h.nodeEvents.at(-1)).toBe('EvictionThresholdMet: Attempting to reclaim memory');
  });

  it('evicts a pod over its own storage limits whatever the node state', async () => {
    const h = harness({ hard: '' });
    const p = pod('writer');
    p.spec.volumes = [{ name: 'scratch', emptyDir: { sizeLimit: '1Mi' } }];
    h.pods.push(p, pod('quiet'));
    h.usage.set('uid-writer', { containers: [], volumes: new Map([['scratch', 2 * Mi]]), disk: { bytes: 2 * Mi, inodes: 3 } });
    expect((await h.m.synchronize()).map((x) => x.metadata.name)).toEqual(['writer']);
    expect(h.evicted[0]).toEqual({ pod: 'writer', graceSeconds: 1, disruption: false, message: 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ' });
    expect(h.m.conditions()).toEqual([]);
    expect(h.m.evictions).toEqual(new Map([['emptydirfs.limit', 1]]));
  });
});

describe('local storage limits', () => {
  const base = (limits: Record<string, string>[]): Pod =>
    ({ metadata: { name: 'p' }, spec: { containers: limits.map((l, i) => ({ name: `c${i}`, image: 'x', resources: { limits: l } })) } }) as Pod;

  it("names the container over its ephemeral-storage limit, or the pod over its containers' total", () => {
    const p = base([{ 'ephemeral-storage': '1Ki' }, { 'ephemeral-storage': '1Mi' }]);
    expect(localStorageViolation(p, { containers: [{ name: 'c0', diskBytes: 2048 }], volumes: new Map(), disk: { bytes: 2048, inodes: 1 } })).toEqual({
      signal: 'ephemeralcontainerfs.limit',
      message: 'Container c0 exceeded its local ephemeral storage limit "1Ki". ',
    });
    expect(localStorageViolation(p, { containers: [], volumes: new Map(), disk: { bytes: 2 * Mi, inodes: 1 } })?.message).toBe('Pod ephemeral local storage usage exceeds the total limit of containers 1025Ki. ');
    expect(localStorageViolation(p, { containers: [{ name: 'c0', diskBytes: 10 }], volumes: new Map(), disk: { bytes: 10, inodes: 1 } })).toBeUndefined();
  });
});
