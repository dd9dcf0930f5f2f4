// Simulated nodes (issue 16) as a user runs them beside a real control plane: the process
// registers Ready nodes and keeps their Leases, and the scheduler, the controllers and the
// node lifecycle treat them as real ones: a Deployment becomes available with pod addresses in
// its Service's endpoints, a Job completes, a DaemonSet runs one pod per node, deletions finish,
// and nodes whose simulator died turn Unknown and come back when it returns.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

const NODES = 12;
let api: ApiServerHandle;
let client: RestClient;
let simulator: Proc;
const procs: Proc[] = [];
const nodes = resource('v1/nodes');
const pods = resource('v1/pods');
const leases = resource('coordination.k8s.io/v1/leases');
const simulatorArgs = () => ['--master', api.url, '--nodes', String(NODES), '--cpu', '4', '--memory', '8Gi', '--node-lease-duration-seconds', '8', '--pod-start-latency', '100ms', '--pod-run-duration', '1s', '--node-labels', 'pool=simulated'];

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
  simulator = startComponent('simulated-nodes', simulatorArgs());
  procs.push(
    startComponent('scheduler', ['--master', api.url, '--leader-elect=false', '--port', '0']),
    startComponent('controller-manager', ['--master', api.url, '--leader-elect=false', '--port', '0', '--node-monitor-grace-period', '10s', '--node-monitor-period', '1s']),
  );
}, 60_000);

afterAll(async () => {
  for (const p of [simulator, ...procs]) await p?.stop();
  await client?.close();
  await api?.stop();
});

const ready = (n: KubeObject) => (n.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready')?.status;

describe('simulated nodes', () => {
  it('registers Ready nodes with the given capacity and labels, and renews their Leases', async () => {
    const list = await waitFor('the simulated nodes Ready', async () => {
      const l = await client.list(nodes, undefined, { labelSelector: 'kubette.io/simulated=true' });
      return l.items.length === NODES && l.items.every((n) => ready(n) === 'True') ? l.items : undefined;
    }, 30_000);
    expect(list.map((n) => n.metadata.name).sort()).toEqual(Array.from({ length: NODES }, (_, i) => `simulated-${i + 1}`).sort());
    for (const n of list) {
      expect(n.metadata.labels).toMatchObject({ pool: 'simulated', 'kubernetes.io/hostname': n.metadata.name });
      expect(n.status).toMatchObject({ capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4' }, nodeInfo: { kubeletVersion: 'v1.32.0' } });
      // Loopback addresses: nothing sent to a simulated node or pod can leave the machine.
      expect((n.status!.addresses as Array<{ type: string; address: string }>).find((a) => a.type === 'InternalIP')!.address).toMatch(/^127\.64\.\d+\.1$/);
    }
    // A node's Lease comes after its status, as a kubelet's does: Ready may be seen first.
    const first = await waitFor('the first Lease', async () => (await client.get(leases, 'kube-node-lease', 'simulated-1').catch(() => undefined))?.spec!.renewTime as string | undefined, 15_000);
    await waitFor('a Lease renewal', async () => (await client.get(leases, 'kube-node-lease', 'simulated-1')).spec!.renewTime !== first, 15_000);
  });

  it('runs a Deployment to available, with its pods in the Service endpoints, and deletes them', async () => {
    await client.create(resource('apps/v1/deployments'), 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sim' },
      spec: { replicas: 30, selector: { matchLabels: { app: 'sim' } }, template: { metadata: { labels: { app: 'sim' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } } },
    });
    await client.create(resource('v1/services'), 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sim' }, spec: { selector: { app: 'sim' }, ports: [{ port: 80 }] } });
    await waitFor('the Deployment available', async () => (await client.get(resource('apps/v1/deployments'), 'default', 'sim')).status?.availableReplicas === 30, 60_000);
    const running = (await client.list(pods, 'default', { labelSelector: 'app=sim' })).items;
    expect(running.every((p) => p.status?.phase === 'Running' && (p.spec!.nodeName as string).startsWith('simulated-'))).toBe(true);
    const ips = running.map((p) => p.status!.podIP as string);
    expect(new Set(ips).size).toBe(30);
    // Spread over the nodes, as over real ones.
    expect(new Set(running.map((p) => p.spec!.nodeName)).size).toBe(NODES);
    await waitFor('30 endpoints', async () => {
      const ep = await client.get(resource('v1/endpoints'), 'default', 'sim');
      const addresses = ((ep.subsets as Array<{ addresses?: Array<{ ip: string }> }> | undefined) ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.ip);
      return addresses.length === 30 && addresses.every((ip) => ips.includes(ip));
    }, 30_000);
    await client.delete(resource('apps/v1/deployments'), 'default', 'sim', { propagationPolicy: 'Foreground' });
    await waitFor('the pods gone', async () => (await client.list(pods, 'default', { labelSelector: 'app=sim' })).items.length === 0, 60_000);
  });

  it('completes a Job, and runs a DaemonSet pod on every node', async () => {
    await client.create(resource('batch/v1/jobs'), 'default', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'sim-job' },
      spec: { completions: 4, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await client.create(resource('apps/v1/daemonsets'), 'default', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'sim-ds' },
      spec: { selector: { matchLabels: { app: 'sim-ds' } }, template: { metadata: { labels: { app: 'sim-ds' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const job = await waitFor('the Job complete', async () => {
      const j = await client.get(resource('batch/v1/jobs'), 'default', 'sim-job');
      return (j.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 60_000);
    expect(job.status).toMatchObject({ succeeded: 4 });
    await waitFor('a DaemonSet pod ready on every node', async () => {
      const ds = await client.get(resource('apps/v1/daemonsets'), 'default', 'sim-ds');
      return ds.status?.desiredNumberScheduled === NODES && ds.status?.numberReady === NODES;
    }, 60_000);
  });

  it('lets the node lifecycle mark its nodes Unknown when it dies, and Ready again when it returns', async () => {
    await simulator.kill();
    await waitFor('the simulated nodes Unknown', async () => {
      const l = await client.list(nodes, undefined, { labelSelector: 'kubette.io/simulated=true' });
      return l.items.every((n) => ready(n) === 'Unknown');
    }, 60_000);
    simulator = startComponent('simulated-nodes', simulatorArgs());
    await waitFor('the simulated nodes Ready again', async () => {
      const l = await client.list(nodes, undefined, { labelSelector: 'kubette.io/simulated=true' });
      return l.items.length === NODES && l.items.every((n) => ready(n) === 'True');
    }, 60_000);
  }, 150_000);
});
