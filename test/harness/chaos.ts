// The pieces of the HA fault suite (issue 15), shared by test/e2e/ha.test.ts (which asserts on
// them) and bench/ha-faults.ts (which records them): a steady write load of ConfigMap creates
// and counter updates through the balancer, measured per fault window; an informer-based audit
// of what a watcher following from its last resourceVersion saw; and the faults themselves
// (a component's pid, its respawn from what /proc says it was, the etcd leader, the balancer's
// restart, leader takeover).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../api/types/meta.js';
import { Informer } from '../../client/informer.js';
import { resource, type RestClient } from '../../client/rest.js';
import type { Cluster } from './cluster.js';

const run = promisify(execFile);
const configmaps = resource('v1/configmaps');
const leases = resource('coordination.k8s.io/v1/leases');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one stretch of load saw. */
export interface LoadWindow {
  label: string;
  acked: number;
  failed: number;
  longestGapMs: number;
}

/**
 * `writers` loops, each creating `<prefix>-<w>-<n>` and updating its own counter ConfigMap
 * `<prefix>-counter-<w>` (data.n = 1, 2, ...) in turn, until stopped. Records every acknowledged
 * create and update, failures, and the longest stretch without a successful write per window.
 */
export class SteadyLoad {
  readonly ackedCreates: string[] = [];
  /** Per counter: every n an update of it was acknowledged with, and the last n attempted. */
  readonly ackedCounts = new Map<string, number[]>();
  readonly attemptedCount = new Map<string, number>();
  private running = true;
  private loops: Promise<void>[] = [];
  private lastOk = Date.now();
  private current: LoadWindow = { label: '', acked: 0, failed: 0, longestGapMs: 0 };

  constructor(
    private readonly client: RestClient,
    readonly prefix: string,
    writers = 4,
  ) {
    this.loops = Array.from({ length: writers }, (_, w) => this.writer(w));
  }

  counterName(w: number): string {
    return `${this.prefix}-counter-${w}`;
  }

  private ok(): void {
    const now = Date.now();
    this.current.longestGapMs = Math.max(this.current.longestGapMs, now - this.lastOk);
    this.lastOk = now;
    this.current.acked++;
  }

  private async writer(w: number): Promise<void> {
    const counter = this.counterName(w);
    this.ackedCounts.set(counter, []);
    let n = 0;
    for (let i = 0; this.running; i++) {
      try {
        if (i % 2 === 0) {
          const name = `${this.prefix}-${w}-${i / 2}`;
          await this.client.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { w: String(w) } });
          this.ackedCreates.push(name);
        } else {
          n++;
          this.attemptedCount.set(counter, n);
          // An unconditional merge patch: a retried one after a lost answer writes the same n.
          await this.client.patch(configmaps, 'default', counter, { data: { n: String(n) } }).catch(async (err: unknown) => {
            if ((err as { code?: number }).code !== 404) throw err;
            return this.client.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: counter }, data: { n: String(n) } });
          });
          this.ackedCounts.get(counter)!.push(n);
        }
        this.ok();
      } catch {
        this.current.failed++;
        await sleep(50);
      }
    }
  }

  /** Closes the current window under `label` and opens the next. */
  mark(label: string): LoadWindow {
    const now = Date.now();
    const w = { ...this.current, label, longestGapMs: Math.max(this.current.longestGapMs, now - this.lastOk) };
    this.current = { label: '', acked: 0, failed: 0, longestGapMs: 0 };
    return w;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** What the load acknowledged and the store lacks: creates missing, counters behind their last acknowledged n. */
export async function lostWrites(direct: RestClient, load: SteadyLoad): Promise<string[]> {
  const stored = new Map((await direct.list(configmaps, 'default')).items.map((i) => [i.metadata.name!, i]));
  const lost = load.ackedCreates.filter((n) => !stored.has(n));
  for (const [counter, acked] of load.ackedCounts) {
    const last = acked.at(-1);
    if (last === undefined) continue;
    const n = Number((stored.get(counter)?.data as Record<string, string> | undefined)?.n ?? 0);
    // A failed update after the last acknowledged one may have landed (its outcome was unknown).
    if (n < last || n > (load.attemptedCount.get(counter) ?? last)) lost.push(`${counter} n=${n}, last acknowledged ${last}`);
  }
  return lost;
}

/** An informer on the default namespace's ConfigMaps, recording every event it delivers. */
export class WatchAudit {
  readonly informer: Informer<KubeObject>;
  private readonly adds = new Map<string, number>();
  private readonly counts = new Map<string, number[]>();
  private lastRV = 0;
  outOfOrder = 0;
  private readonly stopper = new AbortController();
  private running?: Promise<void>;

  constructor(client: RestClient) {
    this.informer = new Informer(client, configmaps, { namespace: 'default' });
    const seen = (o: KubeObject) => {
      const rv = Number(o.metadata.resourceVersion);
      // Relists replay state, not history: order is checked on watch events only.
      if (this.informer.stats.lists <= 1) {
        if (rv <= this.lastRV) this.outOfOrder++;
        this.lastRV = Math.max(this.lastRV, rv);
      }
      const n = (o.data as Record<string, string> | undefined)?.n;
      if (n !== undefined) {
        const list = this.counts.get(o.metadata.name!) ?? this.counts.set(o.metadata.name!, []).get(o.metadata.name!)!;
        list.push(Number(n));
      }
    };
    this.informer.addHandler({
      add: (o) => {
        this.adds.set(o.metadata.name!, (this.adds.get(o.metadata.name!) ?? 0) + 1);
        seen(o);
      },
      update: (_old, o) => seen(o),
    });
  }

  async start(): Promise<void> {
    this.running = this.informer.run(this.stopper.signal);
    await this.informer.synced;
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running?.catch(() => undefined);
  }

  /** The audit against what the load acknowledged: creates never seen or seen twice, acknowledged counter values never seen, counters going backwards. */
  report(load: SteadyLoad): { missing: string[]; duplicated: string[]; outOfOrder: number; relists: number } {
    const missing = load.ackedCreates.filter((n) => !this.adds.has(n));
    for (const [counter, acked] of load.ackedCounts) {
      const seen = this.counts.get(counter) ?? [];
      const values = new Set(seen);
      // With no relist, every revision is an event: each acknowledged value shows up.
      if (this.informer.stats.lists <= 1) for (const n of acked) if (!values.has(n)) missing.push(`${counter} n=${n}`);
      for (let i = 1; i < seen.length; i++) if (seen[i]! < seen[i - 1]!) this.outOfOrder++;
    }
    const duplicated = [...this.adds].filter(([, c]) => c > 1).map(([n]) => n);
    return { missing, duplicated, outOfOrder: this.outOfOrder, relists: Math.max(0, this.informer.stats.lists - 1) };
  }

  /** Names and resourceVersions in the informer's cache that differ from a fresh list. */
  async divergence(direct: RestClient): Promise<string[]> {
    const stored = (await direct.list(configmaps, 'default')).items;
    const cached = new Map(this.informer.list().map((o) => [o.metadata.name!, o.metadata.resourceVersion]));
    const out: string[] = [];
    for (const o of stored) if (cached.get(o.metadata.name!) !== o.metadata.resourceVersion) out.push(`${o.metadata.name}: cache ${cached.get(o.metadata.name!)} store ${o.metadata.resourceVersion}`);
    if (cached.size !== stored.length) out.push(`cache holds ${cached.size}, store ${stored.length}`);
    return out;
  }
}

export const pidOf = (cluster: Cluster, name: string): number => Number(readFileSync(join(cluster.dataDir, 'pids', `${name}.pid`), 'utf8'));

/**
 * How to start a launcher component again after a fault: read from /proc while it runs (its
 * argv, environment and directory), spawned the same way with output appended to its log.
 */
export function respawner(cluster: Cluster, name: string): { argv: string[]; start: () => ChildProcess } {
  const pid = pidOf(cluster, name);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  return {
    argv,
    start: () => {
      const log = openSync(join(cluster.logDir, `${name}.log`), 'a');
      return spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', log, log] });
    },
  };
}

/** etcdctl against a launcher cluster's etcd, as the apiserver's etcd client. */
export function etcdctl(cluster: Cluster, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const pki = join(cluster.dataDir, 'pki');
  return run('etcdctl', ['--endpoints', cluster.etcdURL, '--cacert', join(pki, 'etcd', 'ca.crt'), '--cert', join(pki, 'apiserver-etcd-client.crt'), '--key', join(pki, 'apiserver-etcd-client.key'), ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
}

/** The launcher's name of the etcd member that leads now (IDs are read as text: they overflow JSON numbers). */
export async function etcdLeader(cluster: Cluster): Promise<string> {
  const leader = /"leader":(\d+)/.exec((await etcdctl(cluster, 'endpoint', 'status', '-w', 'json')).stdout)?.[1];
  const members = (await etcdctl(cluster, 'member', 'list', '-w', 'json')).stdout;
  for (const m of members.matchAll(/"ID":(\d+),"name":"([^"]+)"/g)) if (m[1] === leader) return m[2]!;
  throw new Error(`no etcd leader among ${members}`);
}

/** Kills the balancer's master and workers (a worker alone would go on serving) and starts it again. */
export async function restartBalancer(cluster: Cluster): Promise<ChildProcess> {
  const master = pidOf(cluster, 'balancer');
  const workers = (await run('pgrep', ['-P', String(master)]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean).map(Number);
  for (const pid of [...workers, master]) process.kill(pid, 'SIGKILL');
  const dir = join(cluster.dataDir, 'balancer');
  return spawn(process.env.NGINX_BIN ?? 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
}

/** The holder of a kube-system Lease (the scheduler's, the controller-manager's). */
export async function leaseHolder(client: RestClient, name: string): Promise<string> {
  return String((await client.get(leases, 'kube-system', name)).spec?.holderIdentity ?? '');
}

/** SIGKILLs the process holding the Lease `name` (identities end in _<pid>), waits for another holder; returns it and the takeover time. */
export async function killLeader(client: RestClient, name: string, timeoutMs = 60_000): Promise<{ before: string; after: string; takeoverMs: number }> {
  const before = await leaseHolder(client, name);
  const killedAt = Date.now();
  process.kill(Number(before.split('_').pop()), 'SIGKILL');
  let after = before;
  while ((after === before || after === '') && Date.now() - killedAt < timeoutMs) {
    await sleep(100);
    after = await leaseHolder(client, name).catch(() => before);
  }
  return { before, after, takeoverMs: Date.now() - killedAt };
}
