// Scheduler throughput (issue 16). A private etcd and apiserver, BENCH_NODES Node objects
// created through the API (Ready, 32 CPUs, 110 pods each; no kubelets, no leases to renew),
// then BENCH_PODS pods of 10m CPU created at 50 in flight, BENCH_ROUNDS times (3) each of:
//   floor: a trivial binder in this process (round-robin over the nodes on each ADDED pod,
//          50 binds in flight), the least a scheduler could cost in this run;
//   kubette-scheduler: the real scheduler process (filters, scores, assume, bind).
// Each figure is pods bound per second from the first create to the last bind; the ratio is
// the scheduler's against the floor measured in the same run, over all rounds. Each run has a
// namespace of its own and its pods are deleted after it, so every run starts from the same
// apiserver; the rounds alternate so a drift in the machine's speed weighs on both alike. Traffic stays on loopback;
// every wait is bounded (BENCH_TIMEOUT_MS). Usage: npm run bench:scheduler
import { join } from 'node:path';
import type { Pod } from '../api/types/pod.js';
import { Informer } from '../client/informer.js';
import { resource, RestClient } from '../client/rest.js';
import { startApiServer } from '../test/harness/apiserver.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { Proc } from '../test/harness/processes.js';
import { cpuMs, fmt, runConcurrent } from './stats.js';
import { mallocEnv, nodeFlags } from '../component-base/heap.js';

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 5000);
const IN_FLIGHT = 50;
/** Floor and scheduler runs alternate this many times; the ratio is over all of them. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
const pods = resource('v1/pods');
const nodes = resource('v1/nodes');
const namespaces = resource('v1/namespaces');

const nodeObject = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: {
    capacity: { cpu: '32', memory: '128Gi', pods: '110' },
    allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench node' }],
  },
});

const podObject = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'registry.invalid/bench:1', resources: { requests: { cpu: '10m' } } }] },
});

/** Creates PODS pods in `namespace` at 50 in flight and resolves once `bound` says all are bound; returns pods/s and seconds. */
async function createAndWait(client: RestClient, namespace: string, bound: () => number, pids: Record<string, number>): Promise<{ perSecond: number; seconds: number; bound: number }> {
  const started = Date.now();
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  await runConcurrent(PODS, IN_FLIGHT, (i) => client.create(pods, namespace, podObject(`p-${i}`)));
  const createdAfter = (Date.now() - started) / 1000;
  while (bound() < PODS && Date.now() - started < TIMEOUT_MS) await new Promise((r) => setTimeout(r, 20));
  const seconds = (Date.now() - started) / 1000;
  console.log(`  ${namespace}: ${PODS} creates took ${fmt(createdAfter, 1)} s; ${bound()} bound after ${fmt(seconds, 1)} s`);
  // Where the time went: CPU per pod of each process (the bench process holds the creators,
  // the counting informer and, for the floor, the binder).
  console.log(`  CPU µs per pod: ${Object.entries(pids).map(([k, pid]) => `${k} ${fmt(((cpuMs(pid) - cpuBefore[k]!) * 1000) / PODS, 0)}`).join(', ')}`);
  return { perSecond: bound() / seconds, seconds, bound: bound() };
}

/** An informer counting the pods of `namespace` that have a node. */
function boundCounter(client: RestClient, namespace: string, signal: AbortSignal) {
  const informer = new Informer<Pod>(client, pods, { namespace });
  const boundNames = new Set<string>();
  const see = (p: Pod) => p.spec.nodeName && boundNames.add(p.metadata.name!);
  informer.addHandler({ add: see, update: (_o, p) => see(p) });
  const running = informer.run(signal);
  return { informer, count: () => boundNames.size, running };
}

/** The floor: binds each new pod of `namespace` to the next node, 50 binds in flight, until `signal`. */
function floorBinder(client: RestClient, namespace: string, names: string[], signal: AbortSignal) {
  const binder = new Informer<Pod>(client, pods, { namespace });
  let next = 0;
  let inFlight = 0;
  const waiting: Pod[] = [];
  const bind = (p: Pod) => {
    if (inFlight >= IN_FLIGHT) return void waiting.push(p);
    inFlight++;
    const node = names[next++ % names.length]!;
    void client
      .request('POST', client.path(pods, namespace, p.metadata.name!, 'binding'), { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name }, target: { apiVersion: 'v1', kind: 'Node', name: node } } })
      .catch(() => undefined)
      .finally(() => {
        inFlight--;
        const w = waiting.shift();
        if (w) bind(w);
      });
  };
  binder.addHandler({ add: (p) => !p.spec.nodeName && bind(p) });
  void binder.run(signal);
  return binder;
}

async function main(): Promise<void> {
  const etcd = await startEtcd('bench-scheduler-etcd');
  const api = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry', args: ['--etcd-compaction-interval', '0'] });
  const client = new RestClient({ server: api.url, connections: 64 });
  let scheduler: Proc | undefined;
  try {
    const names = Array.from({ length: NODES }, (_, i) => `bench-node-${i + 1}`);
    await runConcurrent(NODES, IN_FLIGHT, (i) => client.create(nodes, undefined, nodeObject(names[i]!)));
    console.log(`${NODES} nodes, ${PODS} pods of 10m CPU created ${IN_FLIGHT} in flight, ${ROUNDS} round(s) of floor then scheduler`);
    const pids = { bench: process.pid, apiserver: api.proc.child.pid!, etcd: etcd.proc.child.pid! };
    const totals = { floor: { bound: 0, seconds: 0 }, scheduler: { bound: 0, seconds: 0 } };
    const ratios: number[] = [];
    let gaveUp = 0;

    /** One measured run in a fresh namespace; its pods are deleted after, so every run starts from the same apiserver. */
    const measure = async (namespace: string, placer: (signal: AbortSignal) => Promise<{ pids: Record<string, number>; synced: Promise<void> }>) => {
      await client.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const done = new AbortController();
      // The counting informer is the same in every run; the placer (binder or scheduler)
      // watches on its own. The apiserver is the bottleneck, so each run pays for the same watchers.
      const counter = boundCounter(client, namespace, done.signal);
      const placing = await placer(done.signal);
      await Promise.all([counter.informer.synced, placing.synced]);
      const result = await createAndWait(client, namespace, counter.count, placing.pids);
      done.abort();
      // Pods left in the apiserver's cache would make each of its heap collections dearer in later runs only.
      await client.request('DELETE', `${client.path(pods, namespace)}?gracePeriodSeconds=0`);
      await waitFor(`the pods of ${namespace} deleted`, async () => (await client.list(pods, namespace, { limit: 1 })).items.length === 0, TIMEOUT_MS, 200);
      return result;
    };

    for (let round = 1; round <= ROUNDS; round++) {
      const base = await measure(`floor-${round}`, async (signal) => {
        const binder = floorBinder(client, `floor-${round}`, names, signal);
        return { pids, synced: binder.synced };
      });
      const ours = await measure(`scheduler-${round}`, async () => {
        // The scheduler, started and synced before its pods come, stopped after its run.
        const port = await freePort();
        // BENCH_PROFILE_DIR: a CPU profile of the scheduler, written there when it stops.
        const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
        const main = join(process.cwd(), 'dist', 'scheduler', 'main.js');
        scheduler = new Proc('bench-scheduler', process.execPath, [...nodeFlags(main), ...profile, main, '--master', api.url, '--leader-elect=false', '--port', String(port), '--secure-port', '0'], mallocEnv());
        await waitFor('the scheduler up', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 30_000);
        await new Promise((r) => setTimeout(r, 1000));
        return { pids: { ...pids, scheduler: scheduler.child.pid! }, synced: Promise.resolve() };
      });
      await scheduler?.stop();
      scheduler = undefined;
      totals.floor.bound += base.bound;
      totals.floor.seconds += base.seconds;
      totals.scheduler.bound += ours.bound;
      totals.scheduler.seconds += ours.seconds;
      gaveUp += PODS - ours.bound;
      ratios.push(ours.perSecond / base.perSecond);
      console.log(`  round ${round}: floor ${fmt(base.perSecond, 0)} pods/s, scheduler ${fmt(ours.perSecond, 0)} pods/s, ratio ${fmt(ours.perSecond / base.perSecond, 2)}`);
    }

    // Rounds alternate so that a machine whose speed drifts (shared cores) weighs on both alike.
    const floorRate = totals.floor.bound / totals.floor.seconds;
    const ourRate = totals.scheduler.bound / totals.scheduler.seconds;
    console.log(`\n${'measure (all rounds)'.padEnd(46)} ${'pods/s'.padStart(10)} ${'bound'.padStart(8)}`);
    console.log(`${'floor: trivial round-robin binder'.padEnd(46)} ${fmt(floorRate, 0).padStart(10)} ${String(totals.floor.bound).padStart(8)}`);
    console.log(`${'kubette-scheduler'.padEnd(46)} ${fmt(ourRate, 0).padStart(10)} ${String(totals.scheduler.bound).padStart(8)}`);
    if (ROUNDS > 1) console.log(`ratios by round: ${ratios.map((r) => fmt(r, 2)).join(', ')}`);
    console.log(`ratio (scheduler / floor): ${fmt(ourRate / floorRate, 2)}${gaveUp > 0 ? ` (gave up after ${TIMEOUT_MS / 1000} s with ${gaveUp} unbound)` : ''}`);
  } finally {
    await scheduler?.stop();
    await client.close();
    await api.stop();
    await etcd.stop();
  }
}

await main();
