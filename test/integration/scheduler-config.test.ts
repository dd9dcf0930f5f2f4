// The scheduler run with a KubeSchedulerConfiguration file (--config), as kube-scheduler users
// configure it: two profiles in one process, each taking the pods that name it, one packing
// pods onto the fullest node (NodeResourcesFit's MostAllocated), one without preemption; the
// file's leader election; a file kube-scheduler would refuse stops the start with exit code 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'kubette-scheduler-config-'));
let api: ApiServerHandle;
let scheduler: Proc;
/** Schedulers expected to refuse their file: stopped at the end should one start after all. */
const stray: Proc[] = [];
let client: RestClient;
const pods = resource('v1/pods');
const nodes = resource('v1/nodes');
const NS = 'default';

const CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: true
  resourceName: config-test-scheduler
  retryPeriod: 500ms
profiles:
- schedulerName: bin-packer
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
- schedulerName: no-preemption
  plugins:
    postFilter:
      disabled:
      - name: DefaultPreemption
`;

function node(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

const pod = (name: string, schedulerName: string, cpu = '100m'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { schedulerName, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu, memory: '64Mi' } } }] },
});

const nodeOf = (name: string) => waitFor(`pod ${name} to be bound`, async () => (await client.get(pods, NS, name)).spec?.nodeName as string | undefined);

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
  await client.create(nodes, undefined, node('cfg-node-a'));
  await client.create(nodes, undefined, node('cfg-node-b'));
  const file = join(dir, 'scheduler.yaml');
  writeFileSync(file, CONFIG);
  scheduler = startComponent('scheduler', ['--master', api.url, '--config', file, '--port', '0']);
});
afterAll(async () => {
  await Promise.all([scheduler, ...stray].map((p) => p?.stop()));
  await client?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('scheduler --config', () => {
  it("packs a MostAllocated profile's pods onto one node, and holds the file's Lease", async () => {
    const placed: string[] = [];
    for (const name of ['packed-1', 'packed-2', 'packed-3']) {
      await client.create(pods, NS, pod(name, 'bin-packer'));
      placed.push(await nodeOf(name));
    }
    // The default (LeastAllocated) would alternate between the two empty nodes.
    expect(new Set(placed).size).toBe(1);
    const lease = await client.get(resource('coordination.k8s.io/v1/leases'), 'kube-system', 'config-test-scheduler');
    expect(lease.spec.holderIdentity).toMatch(/_\d+$/);
    const events = await waitFor('a Scheduled event', async () => (await client.list(resource('v1/events'), NS, { fieldSelector: 'involvedObject.name=packed-1,reason=Scheduled' })).items[0]);
    expect(events.source).toEqual({ component: 'bin-packer' });
  });

  it('reports a pod that fits nowhere without trying preemption where the profile has none', async () => {
    await client.create(pods, NS, pod('too-big', 'no-preemption', '3'));
    const failed = await waitFor('FailedScheduling', async () => (await client.list(resource('v1/events'), NS, { fieldSelector: 'involvedObject.name=too-big,reason=FailedScheduling' })).items[0]);
    expect(failed.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    expect(failed.source).toEqual({ component: 'no-preemption' });
  });

  it('refuses to start on a file kube-scheduler would refuse, saying why', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, CONFIG.replace('    postFilter:', '    filter:\n      enabled:\n      - name: Bogus\n    postFilter:'));
    const proc = startComponent('scheduler', ['--master', api.url, '--config', bad, '--port', '0']);
    stray.push(proc);
    expect(await proc.exited).toBe(2);
    expect((await proc.lastWords()).join('\n')).toContain('profiles[1].plugins.filter: plugin "Bogus" does not exist');
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, CONFIG.replace('leaderElect: true', 'leaderElect: true\n  leaseSeconds: 3'));
    const second = startComponent('scheduler', ['--master', api.url, '--config', unknown, '--port', '0']);
    stray.push(second);
    expect(await second.exited).toBe(2);
    expect((await second.lastWords()).join('\n')).toContain('strict decoding error: unknown field "leaderElection.leaseSeconds"');
  });
});
