// The HA topology from the launcher (issue 15): three etcd members, three apiservers behind an
// nginx L4 balancer that every component and kubectl use. Writes go on through the balancer
// while an apiserver and an etcd member are SIGKILLed; none acknowledged is lost, and the
// controllers (also behind the balancer) keep a Deployment available.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { createUnderFaults, expectAllStored } from '../harness/writes-under-faults.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
let balancerPort: number;

beforeAll(async () => {
  balancerPort = await freePort();
  cluster = await startCluster({ nodes: 1, launcherArgs: ['--apiservers', '3', '--etcd-members', '3', '--balancer-port', String(balancerPort)] });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 90_000);

const pidOf = (name: string) => Number(readFileSync(join(cluster.dataDir, 'pids', `${name}.pid`), 'utf8'));

describe('three apiservers behind a balancer, three etcd members', () => {
  it('serves kubectl through the balancer, with every apiserver holding its Lease', async () => {
    expect(readFileSync(cluster.kubeconfig, 'utf8')).toContain(`server: https://127.0.0.1:${balancerPort}`);
    await waitFor('three apiserver Leases', async () => {
      const leases = await kubectl.ok(['get', 'leases', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver', '-o', 'name']);
      return leases.trim().split('\n').length === 3;
    }, 30_000);
    // In-cluster clients reach the balancer too.
    expect(await kubectl.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].ports[0].port}'])).toBe(String(balancerPort));
  });

  it('loses no acknowledged write while an apiserver and an etcd member are killed, and keeps a Deployment available', async () => {
    await kubectl.ok(['create', 'deployment', 'ha', '--image=busybox:1.36', '--replicas=2', '--', 'sleep', '3600']);
    const { acked, failures } = await createUnderFaults(kubectl, 'ha', 40, [
      () => process.kill(pidOf('apiserver-2'), 'SIGKILL'),
      () => process.kill(pidOf('etcd-2'), 'SIGKILL'),
    ], 1500);
    await expectAllStored(kubectl, acked);
    // The balancer steers new connections around the dead apiserver: at most the request each
    // kill cut off in flight fails.
    expect(failures).toBeLessThanOrEqual(2);
    await kubectl.ok(['scale', 'deployment', 'ha', '--replicas=3']);
    await kubectl.ok(['wait', '--for=jsonpath={.status.availableReplicas}=3', 'deployment/ha', '--timeout=90s']);
  }, 180_000);
});
