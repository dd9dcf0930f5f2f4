// Apiserver benchmark. Starts a private etcd and the apiserver, and prints each figure next to
// a raw baseline measured in the same run:
//   creates/s of ConfigMaps and Pods through the apiserver vs direct etcd create-if-absent
//   transactions of the same bytes (what a create is in etcd), and the floor beside them: a
//   bare Node HTTP server doing only the create's parse, etcd transaction and answer
//   (bare-create-server.ts); each side warmed up first (BENCH_WARMUP creates, not counted),
//   GET/s vs direct etcd gets, LIST latency at 10,000 objects vs JSON.stringify of them,
//   watch delivery latency p50/p99 with 1,000 concurrent watchers.
// Traffic stays on loopback; every loop is bounded. Usage: npm run bench:apiserver
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { Agent, Pool, request } from 'undici';
import { startApiServer } from '../test/harness/apiserver.js';
import { startEtcd } from '../test/harness/etcd.js';
import { mallocEnv, nodeFlags } from '../component-base/heap.js';
import { configMap, pod } from './objects.js';
import { post, printMarkdown } from './http.js';
import { cpuMs, fmt, percentile, runConcurrent, timeIt } from './stats.js';

const CREATES = Number(process.env.BENCH_CREATES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const LIST_SIZE = Number(process.env.BENCH_LIST_SIZE ?? 10_000);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 1000);
const WATCH_WRITES = Number(process.env.BENCH_WATCH_WRITES ?? 50);

/** bench/bare-create-server.ts in a child process, on its own key prefix of the same etcd. */
async function startBareServer(endpoint: string): Promise<{ url: string; stop(): void }> {
  const child = fork(fileURLToPath(new URL('./bare-create-server.js', import.meta.url)), [endpoint, '/bare'], { execArgv: nodeFlags('apiserver/main.js'), env: { ...process.env, ...mallocEnv() }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`the bare create server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const etcd = await startEtcd('bench-etcd');
  const api = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry', args: ['--etcd-compaction-interval', '0'] });
  const pool = new Pool(api.url, { connections: CONCURRENCY, pipelining: 1 });
  const client = new Etcd3({ hosts: etcd.endpoint });
  const bare = await startBareServer(etcd.endpoint);
  const barePool = new Pool(bare.url, { connections: CONCURRENCY, pipelining: 1 });
  const rows: Array<[string, string, string, string]> = [];
  const out = (what: string, ours: string, base: string, ratio: string) => {
    rows.push([what, ours, base, ratio]);
    console.log(`${what.padEnd(44)} ${ours.padStart(14)} ${base.padStart(16)} ${ratio.padStart(8)}`);
  };
  console.log(`${'measure'.padEnd(44)} ${'apiserver'.padStart(14)} ${'raw baseline'.padStart(16)} ${'ratio'.padStart(8)}`);

  try {
    // etcd gets faster as it warms up (its database file grows in steps): the baseline and the
    // apiserver take turns, three rounds each, on fresh keys, and each side's best round counts.
    for (const kind of ['configmaps', 'pods'] as const) {
      const make = kind === 'pods' ? pod : configMap;
      await post(pool, '/api/v1/namespaces', { metadata: { name: `bench-${kind}` } });
      const bytes = Buffer.from(JSON.stringify(make('x'.repeat(12))));
      const perRound = Math.ceil(CREATES / 3);
      let ours = 0;
      let raw = 0;
      let floor = 0;
      // CPU per operation of each process, summed over the rounds: where the time goes.
      const cpu = { raw: { bench: 0, etcd: 0 }, api: { bench: 0, apiserver: 0, etcd: 0 } };
      const pids = { bench: process.pid, etcd: etcd.proc.child.pid!, apiserver: api.proc.child.pid! };
      // A warm-up round for each side first, not counted: a server is measured as it runs, warm
      // (V8 optimizes a function only after many calls, and the apiserver has far more of them
      // than the baseline's client, so a first round measures the compiler more than the server).
      await runConcurrent(WARMUP, CONCURRENCY, (i) => {
        const key = `/baseline/${kind}/bench-${kind}/warm-${i}`;
        return client.if(key, 'Create', '==', 0).then(client.put(key).value(bytes)).commit();
      });
      await runConcurrent(WARMUP, CONCURRENCY, (i) => post(pool, `/api/v1/namespaces/bench-${kind}/${kind}`, make(`warm-${i}`)));
      await runConcurrent(WARMUP, CONCURRENCY, (i) => post(barePool, `/api/v1/namespaces/bench-${kind}/${kind}`, make(`warm-${i}`)));
      for (let round = 0; round < 3; round++) {
        const base = round * perRound;
        // The same etcd operation a create is: put only if the key does not exist yet.
        let before = { bench: cpuMs(pids.bench), etcd: cpuMs(pids.etcd), apiserver: cpuMs(pids.apiserver) };
        const etcdSecs = await runConcurrent(perRound, CONCURRENCY, (i) => {
          const key = `/baseline/${kind}/bench-${kind}/obj-${base + i}`;
          return client.if(key, 'Create', '==', 0).then(client.put(key).value(bytes)).commit();
        });
        cpu.raw.bench += cpuMs(pids.bench) - before.bench;
        cpu.raw.etcd += cpuMs(pids.etcd) - before.etcd;
        before = { bench: cpuMs(pids.bench), etcd: cpuMs(pids.etcd), apiserver: cpuMs(pids.apiserver) };
        const apiSecs = await runConcurrent(perRound, CONCURRENCY, (i) => post(pool, `/api/v1/namespaces/bench-${kind}/${kind}`, make(`obj-${base + i}`)));
        cpu.api.bench += cpuMs(pids.bench) - before.bench;
        cpu.api.etcd += cpuMs(pids.etcd) - before.etcd;
        cpu.api.apiserver += cpuMs(pids.apiserver) - before.apiserver;
        const bareSecs = await runConcurrent(perRound, CONCURRENCY, (i) => post(barePool, `/api/v1/namespaces/bench-${kind}/${kind}`, make(`obj-${base + i}`)));
        raw = Math.max(raw, perRound / etcdSecs);
        ours = Math.max(ours, perRound / apiSecs);
        floor = Math.max(floor, perRound / bareSecs);
      }
      out(`create ${kind} (${bytes.length} B), ${CONCURRENCY} in flight`, `${fmt(ours, 0)}/s`, `${fmt(raw, 0)} txns/s`, fmt(ours / raw, 2));
      out(`  bare Node HTTP server, same creates (floor)`, `${fmt(floor, 0)}/s`, `${fmt(raw, 0)} txns/s`, fmt(floor / raw, 2));
      const us = (ms: number) => fmt((ms * 1000) / (perRound * 3), 0);
      console.log(
        `  CPU µs per create: through the apiserver: client ${us(cpu.api.bench)}, apiserver ${us(cpu.api.apiserver)}, etcd ${us(cpu.api.etcd)}; ` +
          `raw: client ${us(cpu.raw.bench)}, etcd ${us(cpu.raw.etcd)}`,
      );
    }

    const gets = CREATES;
    const apiGet = await runConcurrent(gets, CONCURRENCY, async (i) => {
      const res = await pool.request({ method: 'GET', path: `/api/v1/namespaces/bench-configmaps/configmaps/obj-${i % CREATES}` });
      await res.body.text();
    });
    const etcdGet = await runConcurrent(gets, CONCURRENCY, (i) => client.kv.range({ key: Buffer.from(`/baseline/configmaps/bench-configmaps/obj-${i % CREATES}`) }));
    out(`GET configmap by name, ${CONCURRENCY} in flight`, `${fmt(gets / apiGet, 0)}/s`, `${fmt(gets / etcdGet, 0)} gets/s`, fmt(etcdGet / apiGet, 2));

    // LIST at LIST_SIZE objects.
    await post(pool, '/api/v1/namespaces', { metadata: { name: 'bench-list' } });
    await runConcurrent(LIST_SIZE, CONCURRENCY, (i) => post(pool, '/api/v1/namespaces/bench-list/configmaps', configMap(`item-${i}`)));
    // Time until the whole response has arrived; the client's own parsing is not the server's cost.
    const listOnce = async (query: string) => {
      const res = await pool.request({ method: 'GET', path: `/api/v1/namespaces/bench-list/configmaps${query}` });
      const body = await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`LIST${query}: ${res.statusCode} ${Buffer.from(body).toString().slice(0, 300)}`);
      return body.byteLength;
    };
    const items = Array.from({ length: LIST_SIZE }, (_, i) => configMap(`item-${i}`));
    const best = async (fn: () => Promise<unknown> | unknown) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(await timeIt(fn));
      return Math.min(...times);
    };
    const stringify = await best(() => JSON.stringify({ kind: 'ConfigMapList', items }));
    const fromCache = await best(() => listOnce('?resourceVersion=0'));
    const quorum = await best(() => listOnce(''));
    out(`LIST ${LIST_SIZE} configmaps, resourceVersion=0 (cache)`, `${fmt(fromCache)} ms`, `${fmt(stringify)} ms stringify`, fmt(fromCache / stringify, 2));
    out(`LIST ${LIST_SIZE} configmaps, quorum (etcd)`, `${fmt(quorum)} ms`, `${fmt(stringify)} ms stringify`, fmt(quorum / stringify, 2));

    // Watch fan-out: WATCHERS streams on the same resource, WATCH_WRITES changes.
    const watchAgent = new Agent({ connections: WATCHERS + 10, pipelining: 0 });
    await post(pool, '/api/v1/namespaces', { metadata: { name: 'bench-watch' } });
    const sent = new Map<string, bigint>();
    const latencies: number[] = [];
    let ready = 0;
    const streams = await Promise.all(
      Array.from({ length: WATCHERS }, async () => {
        const res = await request(`${api.url}/api/v1/namespaces/bench-watch/configmaps?watch=1&resourceVersion=0`, { dispatcher: watchAgent });
        ready++;
        let buffer = '';
        res.body.on('data', (chunk: Buffer) => {
          const now = process.hrtime.bigint();
          buffer += chunk.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            const name = /"name":"([^"]+)"/.exec(line)?.[1];
            const t0 = name ? sent.get(name) : undefined;
            if (t0 !== undefined) latencies.push(Number(now - t0) / 1e6);
          }
        });
        return res;
      }),
    );
    for (let i = 0; i < WATCH_WRITES; i++) {
      const name = `w-${i}`;
      sent.set(name, process.hrtime.bigint());
      await post(pool, '/api/v1/namespaces/bench-watch/configmaps', configMap(name));
      await new Promise((r) => setTimeout(r, 20));
    }
    const expected = WATCHERS * WATCH_WRITES;
    const deadline = Date.now() + 30_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    latencies.sort((a, b) => a - b);
    out(
      `watch delivery, ${ready} watchers x ${WATCH_WRITES} writes`,
      `p50 ${fmt(percentile(latencies, 50))} ms`,
      `p99 ${fmt(percentile(latencies, 99))} ms`,
      `${latencies.length}/${expected}`,
    );
    for (const s of streams) s.body.destroy();
    await watchAgent.destroy();
  } finally {
    client.close();
    await pool.destroy();
    await barePool.destroy();
    bare.stop();
    await api.stop();
    await etcd.stop();
  }
  printMarkdown(['measure', 'apiserver', 'raw baseline', 'ratio'], rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
