// The scheduler under a burst (issue 16): with thousands of pods queued, it keeps serving
// sockets, timers and signals between pods. Its leader Lease (short here: 4 s, renew deadline
// 3 s) is renewed all through a burst that lasts longer than the Lease, and a SIGTERM in the
// middle of a burst stops it there, with pods left unbound, rather than after the queue ran dry
// (its apiserver answers slowly there, through a proxy, so the burst lasts however fast the
// machine is).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';
import { TcpProxy } from '../harness/tcp-proxy.js';

let api: ApiServerHandle;
let client: RestClient;
const procs: Proc[] = [];
const pods = resource('v1/pods');
const nodes = resource('v1/nodes');
const leases = resource('coordination.k8s.io/v1/leases');
const namespaces = resource('v1/namespaces');

const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { capacity: { cpu: '32', memory: '64Gi', pods: '110' }, allocatable: { cpu: '32', memory: '64Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '10m' } } }] } });

async function createPods(namespace: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < count) await client.create(pods, namespace, pod(`p-${next++}`));
    }),
  );
}

const boundIn = async (namespace: string) => (await client.list(pods, namespace, { fieldSelector: 'spec.nodeName!=' })).items.length;

// The first test's short Lease is what it tests; the second's apiserver answers slowly on
// purpose, and a Lease that short would be lost there whenever CI's two cores are busy too (a
// scheduler that loses its Lease exits, and nothing restarts it here).
const SHORT_LEASE = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '1s'];
const DEFAULT_LEASE = ['--leader-elect-lease-duration', '15s', '--leader-elect-renew-deadline', '10s', '--leader-elect-retry-period', '2s'];

function startScheduler(server = api.url, lease = SHORT_LEASE): Proc {
  const p = startComponent('scheduler', ['--master', server, '--port', '0', ...lease]);
  procs.push(p);
  return p;
}

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url, connections: 64 });
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < 300) await client.create(nodes, undefined, node(`burst-node-${next++}`));
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const p of procs) await p.stop();
  await client?.close();
  await api?.stop();
});

describe('the scheduler under a burst', () => {
  it('renews its leader Lease all through a burst longer than the Lease', async () => {
    const scheduler = startScheduler();
    const holder = await waitFor('the scheduler to lead', async () => (await client.get(leases, 'kube-system', 'kube-scheduler').catch(() => undefined))?.spec?.holderIdentity as string | undefined, 30_000);
    await client.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'burst' } });
    const renewals = new Set<string>();
    const holders = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const lease = await client.get(leases, 'kube-system', 'kube-scheduler');
        holders.add(lease.spec?.holderIdentity as string);
        renewals.add(lease.spec?.renewTime as string);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const started = Date.now();
    await createPods('burst', 4000);
    await waitFor('every pod bound', async () => {
      if (!scheduler.running) throw new Error(`the scheduler exited (code ${scheduler.child.exitCode}); see its log in .kubette/test-logs`);
      return (await boundIn('burst')) === 4000;
    }, 120_000, 250);
    const burstMs = Date.now() - started;
    sampling = false;
    await sampler;
    console.log(`4000 pods bound in ${burstMs} ms; the Lease was renewed ${renewals.size - 1} times meanwhile`);
    // Renewed throughout (every second), by the same holder, which is still running.
    expect([...holders]).toEqual([holder]);
    expect(renewals.size).toBeGreaterThan(2);
    expect(scheduler.running).toBe(true);
    await scheduler.stop();
  }, 240_000);

  it('stops on SIGTERM in the middle of a burst, leaving pods unbound', async () => {
    // The pods wait before the scheduler starts: it finds all 3000 queued at once.
    await client.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'burst-2' } });
    await createPods('burst-2', 3000);
    // Every answer to the scheduler takes 250 ms: with at most 64 binds in flight, binding
    // 3000 pods takes 12 s or more, on any machine.
    const slow = new TcpProxy('127.0.0.1', api.port);
    await slow.start();
    slow.delayMs = 250;
    const scheduler = startScheduler(slow.endpoint, DEFAULT_LEASE);
    await waitFor('the burst under way', async () => {
      if (!scheduler.running) throw new Error(`the scheduler exited (code ${scheduler.child.exitCode}) before binding 100 pods; see its log in .kubette/test-logs`);
      return (await boundIn('burst-2')) >= 100 ? true : undefined;
    }, 90_000, 50);
    const atSignal = await boundIn('burst-2');
    const signalled = Date.now();
    await scheduler.stop(30_000);
    const bound = await boundIn('burst-2');
    console.log(`SIGTERM with ${atSignal} of 3000 bound: exited after ${Date.now() - signalled} ms with ${bound} bound`);
    // What was in flight finished (at most 64 binds); the backlog was not drained.
    expect(bound).toBeLessThan(1500);
    await slow.stop();
  }, 240_000);
});
