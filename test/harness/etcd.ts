// A real etcd (from the PATH) with its own data directory and loopback ports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort, WaitAbandoned, waitFor } from './ports.js';
import { Proc } from './processes.js';

export interface EtcdHandle {
  endpoint: string;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startEtcd(name = 'etcd'): Promise<EtcdHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'kubette-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const proc = new Proc(`${name}-${clientPort}`, process.env.ETCD_BIN ?? 'etcd', [
    '--name', name,
    '--data-dir', dir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `${name}=http://127.0.0.1:${peerPort}`,
    '--log-level', 'warn',
  ]);
  const client = new Etcd3({ hosts: endpoint });
  try {
    await waitFor('etcd to answer', async () => {
      if (!proc.running) throw new WaitAbandoned([`etcd exited (${proc.child.exitCode ?? proc.child.signalCode}); its last output:`, ...(await proc.lastWords()).map((l) => `  | ${l.slice(0, 400)}`)].join('\n'));
      await client.get('health').string();
      return true;
    });
  } finally {
    client.close();
  }
  return {
    endpoint,
    proc,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  endpoint: string;
  proc?: Proc;
}

/**
 * An etcd cluster of one or more members on loopback whose members can be killed (-9) and
 * restarted on the same data, for fault tests.
 */
export class EtcdCluster {
  private constructor(
    readonly name: string,
    readonly members: Member[],
    private readonly args: string[],
  ) {}

  /** `args`: more flags for every member (e.g. --quota-backend-bytes). */
  static async start(size = 1, name = `fault${process.pid}`, args: string[] = []): Promise<EtcdCluster> {
    const members: Member[] = [];
    for (let i = 0; i < size; i++) {
      const clientPort = await freePort();
      const peerPort = await freePort();
      members.push({ name: `${name}-${i}`, clientPort, peerPort, dataDir: mkdtempSync(join(tmpdir(), 'kubette-etcd-')), endpoint: `http://127.0.0.1:${clientPort}` });
    }
    const cluster = new EtcdCluster(name, members, args);
    members.forEach((_, i) => cluster.launch(i));
    await Promise.all(members.map((_, i) => cluster.waitHealthy(i)));
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.endpoint);
  }

  private launch(i: number): void {
    const m = this.members[i]!;
    const initial = this.members.map((x) => `${x.name}=http://127.0.0.1:${x.peerPort}`).join(',');
    m.proc = new Proc(`etcd-${m.name}-${m.clientPort}`, process.env.ETCD_BIN ?? 'etcd', [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', m.endpoint,
      '--advertise-client-urls', m.endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', initial,
      '--initial-cluster-token', this.name,
      '--initial-cluster-state', 'new',
      '--log-level', 'warn',
      ...this.args,
    ]);
  }

  /** etcdctl against the live members; returns its output. */
  etcdctl(...args: string[]): string {
    const live = this.members.filter((m) => m.proc?.running);
    return execFileSync('etcdctl', ['--endpoints', live.map((m) => m.endpoint).join(','), ...args], { env: { ...process.env, ETCDCTL_API: '3' } }).toString();
  }

  /** Waits until member `i` reports itself healthy (it has a leader): polled over plain HTTP, every 10 ms. */
  async waitHealthy(i: number, timeoutMs = 30_000): Promise<void> {
    const m = this.members[i]!;
    await waitFor(`etcd member ${m.name}`, async () => {
      if (!m.proc?.running) throw new WaitAbandoned(`etcd member ${m.name} exited`);
      const res = await fetch(`${m.endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      return body.health === 'true' || undefined;
    }, timeoutMs, 10);
  }

  async kill(i: number): Promise<void> {
    await this.members[i]!.proc?.kill();
  }

  /** Starts a killed member again on its data directory. */
  async restart(i: number): Promise<void> {
    this.launch(i);
    await this.waitHealthy(i);
  }

  /** Waits until member i's client port accepts connections (it may not serve yet). */
  async listening(i: number): Promise<void> {
    const m = this.members[i]!;
    await waitFor(`etcd member ${m.name} to listen`, () => new Promise<boolean | undefined>((resolve) => {
      const s = createConnection(m.clientPort, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(undefined));
    }), 30_000, 10);
  }

  /** The index of the current leader, as the live members report it. */
  leader(): number {
    const live = this.members.filter((m) => m.proc?.running);
    const out = execFileSync('etcdctl', ['--endpoints', live.map((m) => m.endpoint).join(','), 'endpoint', 'status', '-w', 'simple'], { env: { ...process.env, ETCDCTL_API: '3' } }).toString();
    for (const line of out.trim().split('\n')) {
      const fields = line.split(',').map((f) => f.trim());
      if (fields[4] === 'true') return this.members.findIndex((m) => m.endpoint === fields[0]);
    }
    throw new Error(`no leader among ${live.map((m) => m.name).join(', ')}: ${out}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.proc?.stop() ?? Promise.resolve()));
    for (const m of this.members) rmSync(m.dataDir, { recursive: true, force: true });
  }
}
