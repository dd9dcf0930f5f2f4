// A real etcd (from the PATH) with its own data directory and loopback ports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort, waitFor } from './ports.js';
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
      if (!proc.running) throw new Error('etcd exited; see its log in .kubette/test-logs');
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
