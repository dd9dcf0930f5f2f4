// Control-plane memory at scale (issue 16). A private etcd, the apiserver, the scheduler and
// the controller-manager, and the simulated nodes: resident memory (VmRSS) of the three
// control-plane processes idle, at BENCH_NODES simulated nodes with 1,000 pods running, and
// with BENCH_PODS pods running (Deployments of 1,000 replicas, 10m CPU each). The raw baseline,
// measured in the same run: three bare Node processes that do nothing. The simulated nodes'
// own memory is shown apart (they are the load, not the control plane). Every wait is bounded.
// Usage: npm run bench:footprint   (BENCH_NODES, BENCH_PODS, BENCH_APISERVER_ARGS, BENCH_HEAP_SNAPSHOTS,
// BENCH_LATER_S: more readings that many seconds apart after the last stage, e.g. 30,30)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resource, RestClient } from '../client/rest.js';
import { startApiServer } from '../test/harness/apiserver.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { Proc } from '../test/harness/processes.js';
import { fmt } from './stats.js';
import { mallocEnv, nodeFlags } from '../component-base/heap.js';

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 5000);
const PER_DEPLOYMENT = Math.min(1000, PODS);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const deployments = resource('apps/v1/deployments');
const nodes = resource('v1/nodes');

const rssMB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
// What resident memory is made of: anonymous pages are the process's own (heap, stacks,
// buffers); the rest is mostly the node binary's pages, which every Node process on the
// machine shares. PSS divides shared pages among the processes that map them.
const rollupMB = (pid: number, field: 'Anonymous' | 'Pss') =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;
// Resident KB by mapping kind: the node binary's pages, other files, anonymous.
const residentParts = (pid: number) => {
  const parts = { binary: 0, files: 0, anonymous: 0 };
  let kind: keyof typeof parts = 'anonymous';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) kind = head[1] === process.execPath ? 'binary' : head[1]!.startsWith('/') ? 'files' : 'anonymous';
    else if (line.startsWith('Rss:')) parts[kind] += Number(/\d+/.exec(line)![0]);
  }
  return `${fmt(parts.binary / 1024, 0)}+${fmt(parts.files / 1024, 0)}+${fmt(parts.anonymous / 1024, 0)}`;
};
const component = (name: string, args: string[]) => {
  const main = join(process.cwd(), 'dist', name, 'main.js');
  return new Proc(`footprint-${name}`, process.execPath, [...nodeFlags(main), main, ...args], mallocEnv());
};
const settle = async () => {
  // Let collections catch up before reading RSS.
  await new Promise((r) => setTimeout(r, 5000));
};

async function main(): Promise<void> {
  const bare = Array.from({ length: 3 }, (_, i) => new Proc(`footprint-bare-${i}`, process.execPath, ['-e', 'setInterval(() => {}, 1000)']));
  const etcd = await startEtcd('bench-footprint-etcd');
  // ServiceAccount admission on, as in every real cluster: each pod carries its projected
  // credentials volume (about 600 bytes of JSON, a dozen objects parsed).
  const api = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry', args: ['--enable-admission-plugins', 'ServiceAccount', ...(process.env.BENCH_APISERVER_ARGS ?? '').split(' ').filter(Boolean)] });
  const client = new RestClient({ server: api.url, connections: 16 });
  // Each with its secure port, as they run by default (a free one: the bench may share the host).
  const scheduler = component('scheduler', ['--master', api.url, '--leader-elect=false', '--secure-port', String(await freePort())]);
  const manager = component('controller-manager', ['--master', api.url, '--leader-elect=false', '--secure-port', String(await freePort())]);
  let simulator: Proc | undefined;
  const rows: string[] = [];
  // The apiserver's V8 heap by space (its /metrics): committed MB, used MB.
  const apiserverHeap = async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const mb = (metric: string, space: string) => Number(new RegExp(`^${metric}\\{space="${space}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
    const spaces = ['new_space', 'old_space', 'code_space', 'large_object_space', 'new_large_object_space'];
    const parts = spaces.map((s) => `${s.replace('_space', '')} ${fmt(mb('nodejs_heap_space_size_total_bytes', s), 0)} (${fmt(mb('nodejs_heap_space_size_used_bytes', s), 0)} used)`);
    const external = Number(/^nodejs_external_memory_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 1048576;
    console.log(`  apiserver V8 heap MB: ${parts.join(', ')}; external ${fmt(external, 0)}`);
  };
  const measure = async (label: string) => {
    const plane = [api.proc.child.pid!, scheduler.child.pid!, manager.child.pid!].map(rssMB);
    const base = bare.reduce((s, p) => s + rssMB(p.child.pid!), 0);
    const sim = simulator ? rssMB(simulator.child.pid!) : 0;
    const row = `${label.padEnd(40)} ${fmt(plane[0]!, 0).padStart(9)} ${fmt(plane[1]!, 0).padStart(9)} ${fmt(plane[2]!, 0).padStart(9)} ${fmt(plane[0]! + plane[1]! + plane[2]!, 0).padStart(7)} ${fmt(base, 0).padStart(8)} ${fmt(sim, 0).padStart(9)}`;
    rows.push(row);
    console.log(row);
    const pids = [api.proc.child.pid!, scheduler.child.pid!, manager.child.pid!];
    const anon = pids.map((p) => rollupMB(p, 'Anonymous'));
    const pss = pids.reduce((s, p) => s + rollupMB(p, 'Pss'), 0);
    const bareAnon = bare.reduce((s, p) => s + rollupMB(p.child.pid!, 'Anonymous'), 0);
    console.log(`  anonymous: ${anon.map((a) => fmt(a, 0)).join(' / ')} = ${fmt(anon[0]! + anon[1]! + anon[2]!, 0)} MB (3 bare: ${fmt(bareAnon, 0)}); PSS of the three: ${fmt(pss, 0)} MB`);
    console.log(`  resident MB, node binary + other files + anonymous: ${pids.map(residentParts).join(' / ')} (a bare process: ${residentParts(bare[0]!.child.pid!)})`);
    await apiserverHeap();
  };
  try {
    console.log(`${'MB resident'.padEnd(40)} ${'apiserver'.padStart(9)} ${'scheduler'.padStart(9)} ${'ctrl-mgr'.padStart(9)} ${'total'.padStart(7)} ${'3 bare'.padStart(8)} ${'simulator'.padStart(9)}`);
    await settle();
    await measure('idle');
    simulator = component('simulated-nodes', ['--master', api.url, '--nodes', String(NODES), '--cpu', '32', '--memory', '128Gi', '--pod-start-latency', '0s', '--concurrent-writes', '64']);
    await waitFor(`${NODES} simulated nodes`, async () => (await client.list(nodes, undefined, { labelSelector: 'kubette.io/simulated=true' })).items.length === NODES, TIMEOUT_MS, 1000);
    const runPods = async (target: number) => {
      for (let i = 0; i * PER_DEPLOYMENT < target; i++) {
        const name = `load-${i}`;
        const replicas = Math.min(PER_DEPLOYMENT, target - i * PER_DEPLOYMENT);
        await client.create(deployments, 'default', {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name },
          spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.invalid/load:1', resources: { requests: { cpu: '10m' } } }] } } },
        }).catch(() => undefined);
      }
      const started = Date.now();
      await waitFor(`${target} pods available`, async () => {
        const list = await client.list(deployments, 'default');
        return list.items.reduce((s, d) => s + Number(d.status?.availableReplicas ?? 0), 0) >= target;
      }, TIMEOUT_MS, 1000);
      console.log(`  (${target} pods available ${fmt((Date.now() - started) / 1000, 1)} s after their Deployments were created)`);
    };
    await runPods(Math.min(1000, PODS));
    await settle();
    await measure(`${NODES} nodes, ${Math.min(1000, PODS)} pods`);
    if (PODS > 1000) {
      await runPods(PODS);
      await settle();
      await measure(`${NODES} nodes, ${PODS} pods`);
    }
    for (const after of (process.env.BENCH_LATER_S ?? '').split(',').filter(Boolean).map(Number)) {
      await new Promise((r) => setTimeout(r, after * 1000));
      await measure(`  ${after} s later`);
    }
    if (process.env.BENCH_HEAP_SNAPSHOTS) {
      // Run with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2: each process writes Heap.*.heapsnapshot into its cwd.
      for (const p of [api.proc, scheduler, manager]) p.child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 30_000));
    }
    const metrics = await (await fetch(`${etcd.endpoint}/metrics`)).text();
    const dbBytes = Number(/^etcd_mvcc_db_total_size_in_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    console.log(`\netcd's database: ${fmt(dbBytes / 1024 / 1024, 0)} MB`);
  } finally {
    await simulator?.stop(15_000);
    await scheduler.stop();
    await manager.stop();
    for (const b of bare) await b.stop();
    await client.close();
    await api.stop();
    await etcd.stop();
  }
}

await main();
