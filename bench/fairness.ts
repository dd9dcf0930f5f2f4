// Fairness benchmark (API Priority and Fairness). A private etcd and the apiserver with
// BENCH_FLOOD_OBJECTS ConfigMaps of 3 KB (a ~600 KB LIST). Two service accounts share the
// `service-accounts` flow schema and the `workload-low` level, as any two in-cluster clients
// do: a flooder runs BENCH_FLOOD LISTs of the namespace at once, over and over, and a victim
// GETs one ConfigMap at a time. The victim's latency under the flood is printed next to its
// latency with the server idle (the raw baseline of the same run), and the admin's (exempt)
// beside it. Traffic stays on loopback.
// Usage: npm run bench:fairness   (BENCH_FLOOD 300, BENCH_FLOOD_OBJECTS 200, BENCH_SAMPLES 60;
// BENCH_APISERVER_ARGS adds apiserver flags, e.g. "--max-requests-inflight 40")
import { Pool } from 'undici';
import { startApiServer } from '../test/harness/apiserver.js';
import { startEtcd } from '../test/harness/etcd.js';
import { post, printMarkdown } from './http.js';
import { fmt, percentile } from './stats.js';

const FLOOD = Number(process.env.BENCH_FLOOD ?? 300);
const OBJECTS = Number(process.env.BENCH_FLOOD_OBJECTS ?? 200);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const NS = 'flood';
const VICTIM = 'system:serviceaccount:victim:app';
const FLOODER = 'system:serviceaccount:flooder:app';
const API_ARGS = (process.env.BENCH_APISERVER_ARGS ?? '').split(/\s+/).filter(Boolean);

async function get(pool: Pool, path: string, user?: string): Promise<number> {
  const res = await pool.request({ method: 'GET', path, headers: user ? { 'impersonate-user': user } : {} });
  await res.body.arrayBuffer();
  return res.statusCode;
}

/** Latencies (ms, sorted) of SAMPLES GETs one after another, and how many were not 200. */
async function sample(pool: Pool, user?: string): Promise<{ ms: number[]; failed: number }> {
  const ms: number[] = [];
  let failed = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    if ((await get(pool, `/api/v1/namespaces/${NS}/configmaps/cm-${i % OBJECTS}`, user)) !== 200) failed++;
    ms.push(performance.now() - started);
  }
  return { ms: ms.sort((a, b) => a - b), failed };
}

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const api = await startApiServer({ etcd: etcd.endpoint, args: API_ARGS });
  const admin = new Pool(api.url, { connections: 8 });
  try {
    await post(admin, '/api/v1/namespaces', { metadata: { name: NS } });
    await post(admin, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: 'bench-fairness' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'ServiceAccount', namespace: 'victim', name: 'app' },
        { kind: 'ServiceAccount', namespace: 'flooder', name: 'app' },
      ],
    });
    const data = { blob: 'x'.repeat(3000) };
    for (let i = 0; i < OBJECTS; i += 20) await Promise.all(Array.from({ length: Math.min(20, OBJECTS - i) }, (_, j) => post(admin, `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: `cm-${i + j}` }, data })));
    const victim = new Pool(api.url, { connections: 1 });
    const adminProbe = new Pool(api.url, { connections: 1 });
    await sample(victim, VICTIM); // warm-up
    const idle = await sample(victim, VICTIM);
    const adminIdle = await sample(adminProbe);

    const flooder = new Pool(api.url, { connections: FLOOD });
    let flooding = true;
    const codes = new Map<number, number>();
    const loops = Array.from({ length: FLOOD }, async () => {
      while (flooding) {
        const code = await get(flooder, `/api/v1/namespaces/${NS}/configmaps`, FLOODER).catch(() => 0);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    });
    await new Promise((r) => setTimeout(r, 3000));
    const flooded = await sample(victim, VICTIM);
    const adminFlooded = await sample(adminProbe);
    flooding = false;
    await Promise.all(loops);
    await Promise.all([victim.close(), adminProbe.close(), flooder.close()]);

    console.log(`\nFairness${API_ARGS.length ? ` (apiserver ${API_ARGS.join(' ')})` : ''}: ${FLOOD} concurrent LISTs of ${OBJECTS} ConfigMaps (~${Math.round(OBJECTS * 3.1)} KB) from one service account; another's GETs, ${SAMPLES} one after another`);
    const row = (what: string, s: { ms: number[]; failed: number }, base: { ms: number[] }) => [what, fmt(percentile(s.ms, 50)), fmt(percentile(s.ms, 99)), String(s.failed), `${fmt(percentile(s.ms, 50) / percentile(base.ms, 50))}x`];
    printMarkdown(['client', 'p50 ms', 'p99 ms', 'not 200', 'p50 vs idle'], [row('victim, idle (baseline)', idle, idle), row('victim, under the flood', flooded, idle), row('admin (exempt), idle', adminIdle, adminIdle), row('admin (exempt), under the flood', adminFlooded, adminIdle)]);
    console.log(`flooder's answers: ${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')}`);
  } finally {
    await admin.close();
    await api.stop();
    await etcd.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
