// A whole cluster for end-to-end tests, started the way users start one: the local launcher
// (etcd, apiserver, scheduler, kubelets on the real Docker engine), on free ports, with node
// names unique to this run so concurrent clusters sharing one Docker never touch each other's
// containers. stop() also removes every container its kubelets left.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDir } from './claims.js';
import { freePort, WaitAbandoned, waitFor } from './ports.js';
import { LOG_DIR, Proc } from './processes.js';

export interface Cluster {
  server: string;
  /** Its etcd (https, client certificates from the etcd CA in <dataDir>/pki/etcd). */
  etcdURL: string;
  /** This cluster's service range, and where its cluster DNS is. */
  serviceCIDR: string;
  dnsIP: string;
  kubeconfig: string;
  nodes: string[];
  dataDir: string;
  /** Where the launcher writes the components' logs (<name>.log). */
  logDir: string;
  /** SIGTERM to the launcher, as Ctrl-C: waits up to `timeoutMs` for it to exit by itself, cleans up nothing. */
  terminateLauncher(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;
const SLOTS = join(tmpdir(), 'kubette-cluster-slots');

/** One of 16 slots, held exclusively until released; dead holders' slots are reclaimed. */
function claimSlot(): number {
  mkdirSync(SLOTS, { recursive: true });
  for (const reclaim of [false, true]) {
    for (let slot = 0; slot < 16; slot++) if (claimDir(join(SLOTS, String(slot)), reclaim)) return slot;
  }
  throw new Error('no free cluster slot (16 clusters at once?)');
}

export function removeNodeContainers(nodes: string[]): void {
  for (const node of nodes) {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubette.node=${node}`]).toString().split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    // Memory-backed emptyDirs of the node's pods (the kubelet removes them; a killed one cannot).
    const volumes = execFileSync('docker', ['volume', 'ls', '-q', '--filter', `label=io.kubette.node=${node}`]).toString().split('\n').filter(Boolean);
    if (volumes.length) execFileSync('docker', ['volume', 'rm', '-f', ...volumes], { stdio: 'ignore' });
  }
}

export interface ClusterOptions {
  nodes?: number;
  /** Extra launcher flags, e.g. ['--without=controller-manager', '--kubelet-args=...']. */
  launcherArgs?: string[];
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const nodesCount = opts.nodes ?? 2;
  const prefix = `e2e${process.pid}x${++counter}`;
  // Clusters sharing this host (test files run in parallel) must not share service addresses,
  // node ports or the proxy's iptables chains.
  const slot = claimSlot();
  const nodes = Array.from({ length: nodesCount }, (_, i) => `${prefix}-${i + 1}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubette-cluster-'));
  const apiPort = await freePort();
  const etcdPort = await freePort();
  const kubeconfig = join(dataDir, 'kubeconfig');
  const launcher = new Proc(`launcher-${prefix}`, process.execPath, [
    join(process.cwd(), 'dist', 'launcher', 'main.js'),
    '--data-dir', dataDir,
    '--apiserver-port', String(apiPort),
    '--apiserver-secure-port', String(await freePort()),
    '--etcd-port', String(etcdPort),
    // Its own free port: etcd-port + 1 may be taken by another test's process.
    '--etcd-peer-port', String(await freePort()),
    '--kubeconfig', kubeconfig,
    '--nodes', String(nodesCount),
    '--kubelet-port', '0',
    '--node-prefix', prefix,
    '--service-cluster-ip-range', `10.${96 + slot}.0.0/16`,
    '--service-node-port-range', `${30000 + slot * 160}-${30000 + slot * 160 + 159}`,
    '--chain-prefix', `KT${slot}X${counter % 100}`,
    '--proxy-port', String(await freePort()),
    '--scheduler-secure-port', String(await freePort()),
    '--controller-manager-secure-port', String(await freePort()),
    // Logs outlive the cluster's data directory, for a look after a failure.
    '--log-dir', join(LOG_DIR, prefix),
    ...(opts.launcherArgs ?? []),
  ], {}, true);
  const server = `http://127.0.0.1:${apiPort}`;
  const stop = async () => {
    await launcher.stop(15_000);
    removeNodeContainers(nodes);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(join(SLOTS, String(slot)), { recursive: true, force: true });
  };
  try {
    await waitFor('every node Ready', async () => {
      if (!launcher.running) throw new WaitAbandoned(whyLauncherExited(await launcher.lastWords(), launcher, join(LOG_DIR, prefix)));
      const res = await fetch(`${server}/api/v1/nodes`).catch(() => undefined);
      if (!res?.ok) return false;
      const list = (await res.json()) as { items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }> };
      // Real nodes only: simulated ones (--simulated-nodes) come on their own.
      const ready = list.items.filter((n) => nodes.includes(n.metadata.name) && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === nodesCount;
    }, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const terminateLauncher = (timeoutMs: number) => launcher.stop(timeoutMs);
  return { server, etcdURL: `https://127.0.0.1:${etcdPort}`, kubeconfig, nodes, dataDir, logDir: join(LOG_DIR, prefix), stop, terminateLauncher, serviceCIDR: `10.${96 + slot}.0.0/16`, dnsIP: `10.${96 + slot}.0.10` };
}

/**
 * The launcher's last words and, for each component it reports exited, that component's last
 * log lines: a CI log then says why a cluster did not start.
 */
function whyLauncherExited(said: string[], launcher: Proc, logDir: string): string {
  const parts = [`launcher exited (${launcher.child.exitCode ?? launcher.child.signalCode}) before every node was Ready; its last output:`, ...said.map((l) => `  | ${l}`)];
  const exited = new Set(said.flatMap((l) => /^(\S+) exited \(/.exec(l)?.[1] ?? []));
  for (const name of exited) {
    let lines: string[] = [];
    try {
      lines = readFileSync(join(logDir, `${name}.log`), 'utf8').split('\n').filter(Boolean).slice(-15);
    } catch {
      lines = ['(no log)'];
    }
    parts.push(`${name}'s last log lines:`, ...lines.map((l) => `  | ${l.slice(0, 400)}`));
  }
  parts.push(`all logs: ${logDir}`);
  return parts.join('\n');
}

/** GET on the cluster's local admin port, as JSON; a non-2xx answer fails the test with its body. */
export async function getClusterJSON(cluster: Pick<Cluster, 'server'>, path: string): Promise<Record<string, any>> {
  const res = await fetch(`${cluster.server}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}
