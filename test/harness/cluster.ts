// A whole cluster for end-to-end tests, started the way users start one: the local launcher
// (etcd, apiserver, scheduler, kubelets on the real Docker engine), on free ports, with node
// names unique to this run so concurrent clusters sharing one Docker never touch each other's
// containers. stop() also removes every container its kubelets left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { LOG_DIR, Proc } from './processes.js';

export interface Cluster {
  server: string;
  kubeconfig: string;
  nodes: string[];
  dataDir: string;
  stop(): Promise<void>;
}

let counter = 0;

export function removeNodeContainers(nodes: string[]): void {
  for (const node of nodes) {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubette.node=${node}`]).toString().split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
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
  const nodes = Array.from({ length: nodesCount }, (_, i) => `${prefix}-${i + 1}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubette-cluster-'));
  const apiPort = await freePort();
  const etcdPort = await freePort();
  const kubeconfig = join(dataDir, 'kubeconfig');
  const launcher = new Proc(`launcher-${prefix}`, process.execPath, [
    join(process.cwd(), 'dist', 'launcher', 'main.js'),
    '--data-dir', dataDir,
    '--apiserver-port', String(apiPort),
    '--etcd-port', String(etcdPort),
    '--kubeconfig', kubeconfig,
    '--nodes', String(nodesCount),
    '--kubelet-port', '0',
    '--node-prefix', prefix,
    // Logs outlive the cluster's data directory, for a look after a failure.
    '--log-dir', join(LOG_DIR, prefix),
    ...(opts.launcherArgs ?? []),
  ]);
  const server = `http://127.0.0.1:${apiPort}`;
  const stop = async () => {
    await launcher.stop(15_000);
    removeNodeContainers(nodes);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor('every node Ready', async () => {
      if (!launcher.running) throw new Error(`launcher exited; see ${join(LOG_DIR, prefix)} and ${join(LOG_DIR, `launcher-${prefix}.log`)}`);
      const res = await fetch(`${server}/api/v1/nodes`).catch(() => undefined);
      if (!res?.ok) return false;
      const list = (await res.json()) as { items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }> };
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === nodesCount;
    }, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, kubeconfig, nodes, dataDir, stop };
}
