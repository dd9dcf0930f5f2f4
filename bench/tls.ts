// What security costs, measured in one run on one machine: the same apiserver's plain local
// port (no TLS, no authentication or authorization) against its secure port, as a
// system:masters client certificate (TLS + x509 authentication) and as an ordinary user whose
// rights come from a RoleBinding (TLS + authentication + RBAC); then a new TLS connection per
// request against a new plain one; then pod startup on a launcher cluster with everything
// secure (TLS everywhere, kubelet TLS bootstrap, authenticated kubelet API, etcd over TLS)
// against one started with --apiserver-secure-port 0 (the old all-plain setup).
//
// Knobs: BENCH_CREATES (2000), BENCH_CONCURRENCY (64), BENCH_CONNECTIONS (300), BENCH_TLS_PODS (15).
// Traffic stays on loopback. Usage: npm run bench:tls
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, Pool, request } from 'undici';
import { createCA, issue } from '../api/pki/certificates.js';
import { startApiServer } from '../test/harness/apiserver.js';
import { startCluster } from '../test/harness/cluster.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort } from '../test/harness/ports.js';
import { configMap, pod } from './objects.js';
import { fmt, percentile, runConcurrent } from './stats.js';

const CREATES = Number(process.env.BENCH_CREATES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 300);
const PODS = Number(process.env.BENCH_TLS_PODS ?? 15);

type Obj = Record<string, any>;
const rows: string[][] = [];
function out(...cols: string[]): void {
  rows.push(cols);
  console.log(`${cols[0]!.padEnd(52)} ${cols.slice(1).map((c) => c.padStart(14)).join(' ')}`);
}

async function post(pool: Pool, path: string, body: unknown): Promise<void> {
  const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode !== 201 && res.statusCode !== 409) throw new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
}

async function apiserverCosts(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubette-bench-tls-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  const ca = await createCA('bench-ca');
  const serving = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
  const admin = await issue(ca, { commonName: 'admin', organizations: ['system:masters'] }, { usages: ['client'] });
  const jane = await issue(ca, { commonName: 'jane' }, { usages: ['client'] });
  const etcd = await startEtcd('bench-tls-etcd');
  const securePort = await freePort();
  const api = await startApiServer({
    etcd: etcd.endpoint,
    args: ['--etcd-compaction-interval', '0', '--secure-port', String(securePort), '--bind-address', '127.0.0.1',
      '--tls-cert-file', write('server.crt', serving.certPem), '--tls-private-key-file', write('server.key', serving.keyPem), '--client-ca-file', write('ca.crt', ca.certPem)],
  });
  const plain = new Pool(api.url, { connections: CONCURRENCY });
  const secure = (who: { certPem: string; keyPem: string }) => new Pool(`https://127.0.0.1:${securePort}`, { connections: CONCURRENCY, connect: { ca: ca.certPem, cert: who.certPem, key: who.keyPem } });
  const asAdmin = secure(admin);
  const asJane = secure(jane);
  try {
    const paths = { plain: 'bench-plain', admin: 'bench-admin', jane: 'bench-jane' };
    for (const ns of Object.values(paths)) await post(plain, '/api/v1/namespaces', { metadata: { name: ns } });
    await post(plain, `/apis/rbac.authorization.k8s.io/v1/namespaces/${paths.jane}/rolebindings`, {
      metadata: { name: 'jane-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    });
    console.log(`${'measure'.padEnd(52)} ${'plain port'.padStart(14)} ${'TLS, masters'.padStart(14)} ${'TLS + RBAC'.padStart(14)}`);
    const setups: Array<[keyof typeof paths, Pool]> = [['plain', plain], ['admin', asAdmin], ['jane', asJane]];
    // Three rounds, each setup in a different place in each, after a warm-up; the median round
    // of each setup is reported (the machine's noise is larger than the differences sought).
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rounds = async (run: (who: keyof typeof paths, pool: Pool, round: number) => Promise<number>) => {
      await run('plain', plain, -1);
      const rates = new Map<string, number[]>();
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < setups.length; k++) {
          const [who, pool] = setups[(k + round) % setups.length]!;
          rates.set(who, [...(rates.get(who) ?? []), await run(who, pool, round)]);
        }
      }
      return setups.map(([who]) => `${fmt(median(rates.get(who)!), 0)}/s`);
    };
    for (const kind of ['configmaps', 'pods'] as const) {
      const make = kind === 'pods' ? pod : configMap;
      const rates = await rounds(async (who, pool, round) => {
        const secs = await runConcurrent(CREATES, CONCURRENCY, (i) => post(pool, `/api/v1/namespaces/${paths[who]}/${kind}`, make(`${kind}-${round + 1}-${i}`)));
        return CREATES / secs;
      });
      out(`create ${kind}, ${CONCURRENCY} in flight`, ...rates);
    }
    const getRates = await rounds(async (who, pool) => {
      const secs = await runConcurrent(CREATES, CONCURRENCY, async (i) => {
        const res = await pool.request({ method: 'GET', path: `/api/v1/namespaces/${paths[who]}/configmaps/configmaps-1-${i % CREATES}` });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`GET: ${res.statusCode}`);
      });
      return CREATES / secs;
    });
    out(`GET configmap by name, ${CONCURRENCY} in flight`, ...getRates);

    // A new connection for every request: what a handshake costs (sequential, so latency).
    const perConnection = async (url: string, tls?: { certPem: string; keyPem: string }) => {
      const times: number[] = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        const agent = new Agent({ connect: tls ? { ca: ca.certPem, cert: tls.certPem, key: tls.keyPem } : {} });
        const t = performance.now();
        const res = await request(`${url}/api/v1/namespaces/${paths.plain}/configmaps/configmaps-1-1`, { dispatcher: agent });
        await res.body.text();
        times.push(performance.now() - t);
        await agent.close();
      }
      return times.sort((a, b) => a - b);
    };
    const p = await perConnection(api.url);
    const s = await perConnection(`https://127.0.0.1:${securePort}`, admin);
    out(`GET on a new connection each time, p50`, `${fmt(percentile(p, 50), 2)} ms`, `${fmt(percentile(s, 50), 2)} ms`, '');
    out(`GET on a new connection each time, p99`, `${fmt(percentile(p, 99), 2)} ms`, `${fmt(percentile(s, 99), 2)} ms`, '');
  } finally {
    await Promise.all([plain.close(), asAdmin.close(), asJane.close()]);
    await api.stop();
    await etcd.stop();
  }
}

/** create -> Running seen by a watch, one pod at a time, on a launcher cluster. */
async function podStartup(secure: boolean): Promise<number[]> {
  const cluster = await startCluster({ nodes: 1, launcherArgs: secure ? [] : ['--apiserver-secure-port', '0'] });
  try {
    // The default ServiceAccount (pods need it) and the root CA come from the controller-manager.
    for (let i = 0; i < 100; i++) {
      const sa = await request(`${cluster.server}/api/v1/namespaces/default/serviceaccounts/default`);
      await sa.body.dump();
      if (sa.statusCode === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const times: number[] = [];
    for (let i = 0; i < PODS + 1; i++) {
      const name = `tls-bench-${i}`;
      const t = performance.now();
      const res = await request(`${cluster.server}/api/v1/namespaces/default/pods`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] } }),
      });
      if (res.statusCode !== 201) throw new Error(`create ${name}: ${res.statusCode} ${await res.body.text()}`);
      await res.body.dump();
      for (;;) {
        const got = await request(`${cluster.server}/api/v1/namespaces/default/pods/${name}`);
        const p = (await got.body.json()) as Obj;
        if (p.status?.phase === 'Running') break;
        if (performance.now() - t > 60_000) throw new Error(`${name} not Running after 60 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      // The first pod pulls nothing but warms caches: not counted.
      if (i > 0) times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b);
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  await apiserverCosts();
  const plain = await podStartup(false);
  const secure = await podStartup(true);
  console.log(`${''.padEnd(52)} ${'all plain'.padStart(14)} ${'all secure'.padStart(14)} ${'ratio'.padStart(14)}`);
  for (const p of [50, 99]) {
    out(`pod create -> Running (poll 20 ms), one at a time, p${p}`, `${fmt(percentile(plain, p), 0)} ms`, `${fmt(percentile(secure, p), 0)} ms`, fmt(percentile(secure, p) / percentile(plain, p), 2));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
