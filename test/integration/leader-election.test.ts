// Leader election you can watch (issue 15): two schedulers and two controller-managers on one
// apiserver; each reports leader_election_master_status on /metrics (1 for the one holding the
// kube-system Lease, 0 for the other), and a clean stop of the leader hands over at once.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { freePort, waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

let api: ApiServerHandle;
const procs: Proc[] = [];

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await api?.stop();
});

async function leaderStatus(port: number, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = new RegExp(`^leader_election_master_status\\{name="${name}"\\} (\\d)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

describe.each([
  ['scheduler', 'kube-scheduler', []],
  ['controller-manager', 'kube-controller-manager', ['--controllers', 'namespace']],
] as const)('%s with --leader-elect', (component, lease, extra) => {
  it('reports who leads on /metrics and hands over at once on a clean stop', async () => {
    const ports = [await freePort(), await freePort()];
    const run = (port: number) => {
      const p = startComponent(component, ['--master', api.url, '--port', String(port), '--leader-elect-retry-period', '500ms', ...extra]);
      procs.push(p);
      return p;
    };
    const first = run(ports[0]!);
    await waitFor('the first to lead', async () => (await leaderStatus(ports[0]!, lease)) === 1, 20_000);
    const second = run(ports[1]!);
    await waitFor('the second to report', async () => (await leaderStatus(ports[1]!, lease)) === 0, 20_000);
    const holder = await (await fetch(`${api.url}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`)).json() as { spec: { holderIdentity: string } };
    expect(holder.spec.holderIdentity).toMatch(new RegExp(`_${first.child.pid}$`));
    // A clean stop releases the Lease: the other takes over without waiting for it to expire.
    await first.stop();
    await waitFor('the second to lead', async () => (await leaderStatus(ports[1]!, lease)) === 1, 5_000);
    await second.stop();
  }, 60_000);
});
