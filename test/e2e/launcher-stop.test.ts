// Stopping the launcher as a user does (Ctrl-C) when kubelets run with
// --remove-containers-on-exit: the launcher waits for the kubelets' own drain, so a pod whose
// process ignores SIGTERM and has a 20 s grace period is still removed, and nothing is left
// behind in Docker.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClusterJSON, startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1, launcherArgs: ['--kubelet-args=--remove-containers-on-exit'] });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

const containersOf = (node: string) => execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubette.node=${node}`]).toString().split('\n').filter(Boolean);

describe('launcher stop', () => {
  it('waits for the kubelets to remove their pods, even slow ones', async () => {
    const kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stubborn' },
      spec: { terminationGracePeriodSeconds: 20, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'] }] },
    }));
    await waitFor('the pod to run', async () => (await getClusterJSON(cluster, '/api/v1/namespaces/default/pods/stubborn')).status?.phase === 'Running', 60_000);
    expect(containersOf(cluster.nodes[0]!).length).toBeGreaterThanOrEqual(2);
    const started = Date.now();
    await cluster.terminateLauncher(110_000);
    // The kubelet waited out the grace period before removing the container, and the launcher let it.
    expect(Date.now() - started).toBeGreaterThan(15_000);
    expect(containersOf(cluster.nodes[0]!)).toEqual([]);
  }, 150_000);
});
