// LIST benchmark (issue 16). A private etcd and the apiserver with BENCH_LIST_SIZE pods (the
// Deployment-like pods of bench/objects.ts, spread over 10 namespaces). Each LIST is timed
// until its whole body has arrived, best of 5, next to the raw baseline measured in the same
// run: a bare Node HTTP server that JSON.stringify()s the same body and sends it. Measured:
// the list from the watch cache (resourceVersion=0), the consistent (quorum) list, the list
// paged by 500 (every page, one after another, as client-go's pager does), the Table kubectl
// asks for (whole and paged), and `kubectl get pods -A` chunked (its default, 500) against
// --chunk-size=0 and against curl of the same Table. Traffic stays on loopback.
// Usage: npm run bench:list   (BENCH_LIST_SIZE 10000, BENCH_PAGE 500, BENCH_ROUNDS 5)
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { startApiServer } from '../test/harness/apiserver.js';
import { startEtcd } from '../test/harness/etcd.js';
import { pod } from './objects.js';
import { post, printMarkdown } from './http.js';
import { fmt, runConcurrent, timeIt } from './stats.js';

const SIZE = Number(process.env.BENCH_LIST_SIZE ?? 10_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NAMESPACES = 10;
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Fetched {
  status: number;
  bytes: number;
  body?: Buffer;
}

async function fetchAll(pool: Pool, path: string, accept = 'application/json', keep = false): Promise<Fetched> {
  const res = await pool.request({ method: 'GET', path, headers: { accept } });
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${body.toString().slice(0, 300)}`);
  return { status: res.statusCode, bytes: body.length, ...(keep ? { body } : {}) };
}

/**
 * Every page of a paged list, one after another. The continue token is read from the head of
 * each body (the client's own parsing is not the server's cost); `count` parses them to check.
 */
async function pagedList(pool: Pool, path: string, accept?: string, count = false): Promise<number> {
  let cont = '';
  let seen = 0;
  for (let pages = 0; pages < 10_000; pages++) {
    const q = `?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const { body } = await fetchAll(pool, `${path}${q}`, accept, true);
    if (count) {
      const parsed = JSON.parse(body!.toString()) as { items?: unknown[]; rows?: unknown[] };
      seen += (parsed.items ?? parsed.rows ?? []).length;
    }
    cont = /"continue":"([^"]*)"/.exec(body!.subarray(0, 4096).toString())?.[1] ?? '';
    if (!cont) return seen;
  }
  throw new Error('paged list did not end');
}

/** A bare server that stringifies `body` afresh for every request, as a plain Node server would. */
async function bareServer(body: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function runQuiet(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let err = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '/dev/null' } });
    child.stdout.on('data', (b: Buffer) => {
      for (const c of b) if (c === 10) lines++;
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.slice(0, 500)}`))));
  });
}

async function best(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await timeIt(fn));
  return Math.min(...times);
}

async function main(): Promise<void> {
  const etcd = await startEtcd('bench-list-etcd');
  const api = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry', args: ['--etcd-compaction-interval', '0'] });
  const pool = new Pool(api.url, { connections: 64 });
  const bares: Server[] = [];
  const rows: Array<[string, string, string, string]> = [];
  const out = (what: string, ours: number, base: number, baseLabel: string) => {
    rows.push([what, `${fmt(ours)} ms`, `${fmt(base)} ms ${baseLabel}`, fmt(ours / base, 2)]);
    console.log(`${what.padEnd(46)} ${`${fmt(ours)} ms`.padStart(11)} ${`${fmt(base)} ms ${baseLabel}`.padStart(24)} ${fmt(ours / base, 2).padStart(6)}`);
  };
  try {
    for (let n = 0; n < NAMESPACES; n++) {
      await post(pool, '/api/v1/namespaces', { metadata: { name: `bench-list-${n}` } });
    }
    const createSecs = await runConcurrent(SIZE, 50, (i) => post(pool, `/api/v1/namespaces/bench-list-${i % NAMESPACES}/pods`, pod(`pod-${i}`)));
    console.log(`created ${SIZE} pods in ${fmt(createSecs)} s`);

    // The bodies the bare server sends: exactly what the apiserver answers (once its cache has
    // every pod: a list at the newest resourceVersion waits for it).
    const newest = JSON.parse((await fetchAll(pool, '/api/v1/pods?limit=1', 'application/json', true)).body!.toString()) as { metadata: { resourceVersion: string } };
    const list = await fetchAll(pool, `/api/v1/pods?resourceVersion=${newest.metadata.resourceVersion}`, 'application/json', true);
    const table = await fetchAll(pool, '/api/v1/pods?resourceVersion=0', TABLE_ACCEPT, true);
    const listBody = JSON.parse(list.body!.toString()) as { items: unknown[] };
    if (listBody.items.length !== SIZE) throw new Error(`the list has ${listBody.items.length} pods, not ${SIZE}`);
    console.log(`list body ${fmt(list.bytes / 1e6)} MB, Table body ${fmt(table.bytes / 1e6)} MB`);
    const bareList = await bareServer(listBody);
    const bareTable = await bareServer(JSON.parse(table.body!.toString()));
    bares.push(bareList.server, bareTable.server);
    const barePool = new Pool(bareList.url, { connections: 4 });
    const bareTablePool = new Pool(bareTable.url, { connections: 4 });
    const stringifyMs = await best(async () => JSON.stringify(listBody));
    const bareMs = await best(() => fetchAll(barePool, '/'));
    const bareTableMs = await best(() => fetchAll(bareTablePool, '/'));
    console.log(`${'measure'.padEnd(46)} ${'apiserver'.padStart(11)} ${'bare server'.padStart(24)} ${'ratio'.padStart(6)}`);
    out(`JSON.stringify alone (${SIZE} pods)`, stringifyMs, bareMs, 'bare list');

    out(`LIST ${SIZE} pods, resourceVersion=0 (cache)`, await best(() => fetchAll(pool, '/api/v1/pods?resourceVersion=0')), bareMs, 'bare list');
    out(`LIST ${SIZE} pods, consistent (no resourceVersion)`, await best(() => fetchAll(pool, '/api/v1/pods')), bareMs, 'bare list');
    // In a busy cluster the newest writes are mostly to other resources (Leases, Events).
    let other = 0;
    const writeElsewhere = () => post(pool, '/api/v1/namespaces/bench-list-0/configmaps', { metadata: { name: `elsewhere-${other++}` } });
    out(`... consistent, after a write to another resource`, await best(async () => (await writeElsewhere(), await fetchAll(pool, '/api/v1/pods'))), bareMs, 'bare list');
    out(`LIST ${SIZE} pods, paged by ${PAGE}`, await best(() => pagedList(pool, '/api/v1/pods')), bareMs, 'bare list');
    const paged = await pagedList(pool, '/api/v1/pods', undefined, true);
    if (paged !== SIZE) throw new Error(`the paged list saw ${paged} pods, not ${SIZE}`);
    out(`LIST ${SIZE} pods as a Table`, await best(() => fetchAll(pool, '/api/v1/pods', TABLE_ACCEPT)), bareTableMs, 'bare Table');
    out(`LIST ${SIZE} pods as a Table, paged by ${PAGE}`, await best(() => pagedList(pool, '/api/v1/pods', TABLE_ACCEPT)), bareTableMs, 'bare Table');

    const kubectl = (chunk: string[]) => runQuiet(KUBECTL, ['-s', api.url, 'get', 'pods', '-A', ...chunk]);
    let printed = 0;
    const unchunked = await best(async () => (printed = await kubectl(['--chunk-size=0'])));
    if (printed !== SIZE + 1) throw new Error(`kubectl printed ${printed} lines, not ${SIZE + 1}`);
    const chunked = await best(async () => (printed = await kubectl([`--chunk-size=${PAGE}`])));
    if (printed !== SIZE + 1) throw new Error(`kubectl (chunked) printed ${printed} lines, not ${SIZE + 1}`);
    const curl = await best(() => runQuiet('curl', ['-sf', '-o', '/dev/null', '-H', `Accept: ${TABLE_ACCEPT}`, `${api.url}/api/v1/pods`]));
    out(`kubectl get pods -A (chunks of ${PAGE})`, chunked, unchunked, '--chunk-size=0');
    out(`kubectl get pods -A --chunk-size=0`, unchunked, curl, 'curl of the Table');
    await barePool.destroy();
    await bareTablePool.destroy();
  } finally {
    for (const s of bares) s.close();
    await pool.destroy();
    await api.stop();
    await etcd.stop();
  }
  printMarkdown(['measure', 'apiserver', 'baseline (same run)', 'ratio'], rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
