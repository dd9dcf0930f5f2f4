// Pod startup latency: from POSTing a pod to seeing it Running through a watch, on a cluster
// started by the local launcher (etcd, apiserver, scheduler, two kubelets on the real Docker),
// against the raw baseline of starting the same containers straight through the Docker Engine
// API (a pause container on the pod network plus the app container joined to it), in one run.
//
// Knobs: BENCH_PODS (30), BENCH_BURST (30: pods created at once in the burst phase).
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { startCluster } from '../test/harness/cluster.js';
import { DockerEngine } from '../kubelet/runtime/docker/engine.js';
import { fmt, percentile } from './stats.js';

const PODS = Number(process.env.BENCH_PODS ?? 30);
const BURST = Number(process.env.BENCH_BURST ?? 30);
const IMAGE = 'busybox:1.36';

type Obj = Record<string, any>;

function podManifest(name: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'startup' } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: IMAGE, command: ['sleep', '3600'] }] },
  };
}

/** Watches pods and resolves each name's promise when it is first seen Running. */
async function runningWatcher(server: string, signal: AbortSignal) {
  const waiters = new Map<string, (t: number) => void>();
  const seen = new Map<string, number>();
  const res = await request(`${server}/api/v1/namespaces/default/pods?watch=true&labelSelector=bench%3Dstartup`, { signal, bodyTimeout: 0 });
  void (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += chunk.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: Obj };
          buf = buf.slice(nl + 1);
          const p = ev.object;
          if (p.status?.phase === 'Running' && !seen.has(p.metadata.name)) {
            const t = performance.now();
            seen.set(p.metadata.name, t);
            waiters.get(p.metadata.name)?.(t);
          }
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return (name: string) => new Promise<number>((resolve) => (seen.has(name) ? resolve(seen.get(name)!) : waiters.set(name, resolve)));
}

async function createPod(server: string, name: string): Promise<number> {
  const t = performance.now();
  const res = await request(`${server}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(podManifest(name)) });
  if (res.statusCode !== 201) throw new Error(`create ${name}: ${res.statusCode} ${await res.body.text()}`);
  await res.body.dump();
  return t;
}

async function deleteAll(server: string): Promise<void> {
  await request(`${server}/api/v1/namespaces/default/pods?labelSelector=bench%3Dstartup`, { method: 'DELETE' }).then((r) => r.body.dump());
  for (;;) {
    const res = await request(`${server}/api/v1/namespaces/default/pods?labelSelector=bench%3Dstartup`);
    const list = (await res.body.json()) as { items: unknown[] };
    if (list.items.length === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The raw baseline: the same two containers through the Docker Engine API. */
async function rawStart(docker: DockerEngine, labels: Record<string, string>): Promise<number> {
  const t = performance.now();
  const id = randomUUID().slice(0, 8);
  const sandbox = await docker.createContainer(`bench-raw-pause-${id}`, { Image: 'kubette/pause:3.9', Labels: labels, HostConfig: { NetworkMode: 'kubette', IpcMode: 'shareable' } });
  await docker.startContainer(sandbox);
  const shared = `container:${sandbox}`;
  const app = await docker.createContainer(`bench-raw-app-${id}`, { Image: IMAGE, Cmd: ['sleep', '3600'], Labels: labels, HostConfig: { NetworkMode: shared, IpcMode: shared } });
  await docker.startContainer(app);
  await docker.inspectContainer(sandbox); // the kubelet reads the IP back too
  return performance.now() - t;
}

async function rawCleanup(docker: DockerEngine, labels: Record<string, string>): Promise<void> {
  for (const id of await docker.listContainerIds(Object.entries(labels).map(([k, v]) => `${k}=${v}`))) await docker.removeContainer(id);
}

function row(label: string, ours: number[], raw: number[]): string {
  const s = [...ours].sort((a, b) => a - b);
  const r = [...raw].sort((a, b) => a - b);
  const p50 = percentile(s, 50);
  const p99 = percentile(s, 99);
  const r50 = percentile(r, 50);
  const r99 = percentile(r, 99);
  return `| ${label} | p50 ${fmt(p50, 0)} ms, p99 ${fmt(p99, 0)} ms | p50 ${fmt(r50, 0)} ms, p99 ${fmt(r99, 0)} ms | ${fmt(p50 / r50, 2)} / ${fmt(p99 / r99, 2)} |`;
}

async function main(): Promise<void> {
  const docker = new DockerEngine();
  await docker.ensureNetwork('kubette', { 'io.kubette.network': 'pods' });
  const labels = { 'io.kubette.bench': `raw-${process.pid}` };
  const cluster = await startCluster({ nodes: 2 });
  const stop = new AbortController();
  try {
    const runningAt = await runningWatcher(cluster.server, stop.signal);
    // Warm-up: the first pod pays for first-time paths on both sides.
    await createPod(cluster.server, 'warmup');
    await runningAt('warmup');
    await rawStart(docker, labels);
    await rawCleanup(docker, labels);

    // One at a time, alternating with the raw baseline so both see the same engine state.
    const sequential: number[] = [];
    const rawSequential: number[] = [];
    for (let i = 0; i < PODS; i++) {
      const name = `seq-${i}`;
      const t = await createPod(cluster.server, name);
      sequential.push((await runningAt(name)) - t);
      rawSequential.push(await rawStart(docker, labels));
    }
    await deleteAll(cluster.server);
    await rawCleanup(docker, labels);

    // A burst: BURST pods created at once, each timed from its own POST.
    const names = Array.from({ length: BURST }, (_, i) => `burst-${i}`);
    const burstStart = performance.now();
    const created = await Promise.all(names.map((n) => createPod(cluster.server, n)));
    const done = await Promise.all(names.map((n) => runningAt(n)));
    const burst = done.map((t, i) => t - created[i]!);
    const burstWall = Math.max(...done) - burstStart;
    await deleteAll(cluster.server);
    // The raw burst runs on an engine as empty as the one the pods' burst met.
    const rawBurstStart = performance.now();
    const rawBurst = await Promise.all(names.map(() => rawStart(docker, labels)));
    const rawBurstWall = performance.now() - rawBurstStart;

    console.log(`\npod startup: ${PODS} pods one at a time, then ${BURST} at once; 2 kubelets on one Docker engine\n`);
    console.log('| measure | kubette (create -> Running seen by watch) | raw Docker API (pause + app) | ratio p50 / p99 |');
    console.log('|---|---|---|---|');
    console.log(row(`one at a time (${PODS} pods)`, sequential, rawSequential));
    console.log(row(`burst of ${BURST}`, burst, rawBurst));
    console.log(`| burst of ${BURST}, until all running | ${fmt(burstWall, 0)} ms | ${fmt(rawBurstWall, 0)} ms | ${fmt(burstWall / rawBurstWall, 2)} |`);
  } finally {
    stop.abort();
    await deleteAll(cluster.server).catch(() => undefined);
    await rawCleanup(docker, labels);
    await cluster.stop();
    await docker.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
