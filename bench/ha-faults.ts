// High-availability fault benchmark (issue 15): the launcher's HA shape (three etcd members,
// three apiservers behind the nginx balancer), a steady load of ConfigMap creates through the
// balancer from 4 writers, and an informer following from its last resourceVersion. Faults, one
// after another, each with 6 s of load around it:
//   1. SIGKILL of one apiserver;
//   2. SIGSTOP of another for 8 s (a hung, not dead, server), then SIGCONT;
//   3. SIGKILL of the etcd leader;
//   4. the balancer (nginx) killed and started again;
//   5. SIGKILL of the leading scheduler, then of the leading controller-manager: how long until
//      the standby holds the Lease.
// For each: writes acknowledged and lost (must be 0), requests failed, the longest interval with
// no successful write; at the end, the informer's view against the acknowledged writes:
// missing, duplicated and out-of-order events (must be 0). The raw baseline is the same load
// against one apiserver before any fault. Traffic stays on loopback. Usage: npm run bench:ha
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../api/types/meta.js';
import { Informer } from '../client/informer.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { resource, RestClient } from '../client/rest.js';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import { freePort } from '../test/harness/ports.js';

const run = promisify(execFile);
const configmaps = resource('v1/configmaps');
const leases = resource('coordination.k8s.io/v1/leases');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Window {
  acked: string[];
  failed: number;
  longestGapMs: number;
}

/** Creates ConfigMaps from `writers` loops until stopped; records what was acknowledged and the longest write gap. */
function load(client: RestClient, prefix: string, writers = 4) {
  const w: Window = { acked: [], failed: 0, longestGapMs: 0 };
  let lastOk = Date.now();
  let running = true;
  let n = 0;
  const loops = Array.from({ length: writers }, async () => {
    while (running) {
      const name = `${prefix}-${n++}`;
      try {
        await client.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });
        const now = Date.now();
        w.longestGapMs = Math.max(w.longestGapMs, now - lastOk);
        lastOk = now;
        w.acked.push(name);
      } catch {
        w.failed++;
        await sleep(50);
      }
    }
  });
  return {
    async stop(): Promise<Window> {
      running = false;
      await Promise.all(loops);
      w.longestGapMs = Math.max(w.longestGapMs, Date.now() - lastOk);
      return w;
    },
  };
}

const pidOf = (cluster: Cluster, name: string) => Number(readFileSync(join(cluster.dataDir, 'pids', `${name}.pid`), 'utf8'));

/** The launcher's name of the etcd member that leads now (IDs are read as text: they overflow JSON numbers). */
async function etcdLeader(cluster: Cluster): Promise<string> {
  const pki = join(cluster.dataDir, 'pki');
  const etcdctl = (...args: string[]) =>
    run('etcdctl', ['--endpoints', cluster.etcdURL, '--cacert', join(pki, 'etcd', 'ca.crt'), '--cert', join(pki, 'apiserver-etcd-client.crt'), '--key', join(pki, 'apiserver-etcd-client.key'), ...args, '-w', 'json'], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
  const leader = /"leader":(\d+)/.exec((await etcdctl('endpoint', 'status')).stdout)?.[1];
  const members = (await etcdctl('member', 'list')).stdout;
  for (const m of members.matchAll(/"ID":(\d+),"name":"([^"]+)"/g)) if (m[1] === leader) return m[2]!;
  throw new Error(`no etcd leader among ${members}`);
}

const rows: string[][] = [];
function row(...cells: string[]): void {
  rows.push(cells);
  console.log(cells.map((c, i) => (i === 0 ? c.padEnd(44) : c.padStart(14))).join(' '));
}

async function main(): Promise<void> {
  const balancer = await freePort();
  const cluster = await startCluster({ nodes: 0, launcherArgs: ['--apiservers', '3', '--etcd-members', '3', '--balancer-port', String(balancer), '--without', 'proxy,dns'] });
  // The standbys' Leases: both candidates must be up before a leader is killed.
  await sleep(3000);
  // With no nodes to wait for, the launcher may still be writing the kubeconfig.
  for (let i = 0; i < 300 && !existsSync(cluster.kubeconfig); i++) await sleep(100);
  const client = new RestClient({ ...loadClientConfig({ kubeconfig: cluster.kubeconfig }), connections: 16 });
  const direct = new RestClient({ server: cluster.server, connections: 16 });
  const seen = new Map<string, number>();
  let outOfOrder = 0;
  let lastRV = 0;
  const informer = new Informer(client, configmaps, { namespace: 'default' });
  informer.addHandler({
    add: (o: KubeObject) => {
      const name = o.metadata.name!;
      seen.set(name, (seen.get(name) ?? 0) + 1);
      const rv = Number(o.metadata.resourceVersion);
      if (rv < lastRV) outOfOrder++;
      lastRV = Math.max(lastRV, rv);
    },
  });
  const stopInformer = new AbortController();
  const informing = informer.run(stopInformer.signal);
  await informer.synced;
  const acked: string[] = [];
  let restarted: ChildProcess | undefined;
  try {
    row('6 s of load (4 writers)', 'acked', 'lost', 'failed', 'longest gap');
    const measure = async (label: string, via: RestClient, fault: () => Promise<void>) => {
      const l = load(via, label.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30));
      await sleep(2000);
      await fault();
      await sleep(4000);
      const w = await l.stop();
      acked.push(...w.acked);
      const stored = new Set((await direct.list(configmaps, 'default')).items.map((i) => i.metadata.name));
      const lost = w.acked.filter((n) => !stored.has(n)).length;
      row(label, String(w.acked.length), String(lost), String(w.failed), `${w.longestGapMs} ms`);
    };
    await measure('baseline: one apiserver, no fault', direct, async () => undefined);
    await measure('baseline: through the balancer, no fault', client, async () => undefined);
    await measure('SIGKILL apiserver-2', client, async () => void process.kill(pidOf(cluster, 'apiserver-2'), 'SIGKILL'));
    await measure('SIGSTOP apiserver-3 for 8 s', client, async () => {
      const pid = pidOf(cluster, 'apiserver-3');
      process.kill(pid, 'SIGSTOP');
      setTimeout(() => process.kill(pid, 'SIGCONT'), 8000);
    });
    await sleep(4000); // apiserver-3 continues
    const leader = await etcdLeader(cluster);
    await measure(`SIGKILL the etcd leader (${leader})`, client, async () => void process.kill(pidOf(cluster, leader), 'SIGKILL'));
    await measure('nginx killed and started again', client, async () => {
      // The master and its worker (which would go on serving on its own).
      const master = pidOf(cluster, 'balancer');
      const workers = (await run('pgrep', ['-P', String(master)]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean).map(Number);
      for (const pid of [...workers, master]) process.kill(pid, 'SIGKILL');
      const dir = join(cluster.dataDir, 'balancer');
      restarted = spawn(process.env.NGINX_BIN ?? 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
    });
    for (const lease of ['kube-scheduler', 'kube-controller-manager']) {
      const holder = async () => String((await direct.get(leases, 'kube-system', lease)).spec?.holderIdentity ?? '');
      const before = await holder();
      const pid = Number(before.split('_').pop());
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      let after = before;
      while ((after === before || after === '') && Date.now() - killedAt < 60_000) {
        await sleep(50);
        after = await holder().catch(() => before);
      }
      row(`SIGKILL the leading ${lease.replace('kube-', '')}`, 'takeover', `${Date.now() - killedAt} ms`, '', '');
    }
    // The informer's view of everything acknowledged.
    await sleep(3000);
    const missing = acked.filter((n) => !seen.has(n)).length;
    const duplicated = [...seen.values()].filter((c) => c > 1).length;
    console.log(`\ninformer (through the balancer, following from its last resourceVersion): ${acked.length} acknowledged creates, ${missing} missing, ${duplicated} duplicated, ${outOfOrder} out of order, ${informer.stats.lists} lists`);
  } finally {
    restarted?.kill('SIGTERM');
    stopInformer.abort();
    await informing.catch(() => undefined);
    await client.close();
    await direct.close();
    await cluster.stop();
  }
}

await main();
