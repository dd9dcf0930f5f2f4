// DaemonSets as a user runs them, with unmodified kubectl 1.32 on a two-node launcher cluster
// (real Docker): one pod per node, placed by the scheduler; a nodeSelector narrows them; a
// cordoned node keeps its daemon; a new image rolls out (kubectl rollout status), shows in
// rollout history, and rollout undo brings the previous template back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

const getJSON = async (path: string): Promise<Obj> => {
  const res = await fetch(`${cluster.server}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Obj;
};
const agentPods = async () => ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dagent')).items as Obj[]).filter((p) => !p.metadata.deletionTimestamp);
const running = async () => (await agentPods()).filter((p) => p.status?.phase === 'Running');

const manifest = (image: string, nodeSelector?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          ...(nodeSelector ? { nodeSelector } : {}),
          containers: [{ name: 'agent', image, command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"] }],
        },
      },
    },
  });

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('DaemonSets', () => {
  it('runs one pod on each node, follows a nodeSelector, and keeps its pod on a cordoned node', async () => {
    await kubectl.ok(['apply', '-f', '-'], manifest('busybox:1.36'));
    await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    const pods = await running();
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual([...cluster.nodes].sort());
    const [header, row] = (await kubectl.ok(['get', 'ds', 'agent'])).trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(row!.split(/\s{2,}/).slice(0, 7)).toEqual(['agent', '2', '2', '2', '2', '2', '<none>']);

    const [n1, n2] = cluster.nodes as [string, string];
    await kubectl.ok(['cordon', n1]);
    await kubectl.ok(['label', 'node', n2, 'tier=edge']);
    await kubectl.ok(['apply', '-f', '-'], manifest('busybox:1.36', { tier: 'edge' }));
    await waitFor('only the edge node runs the daemon', async () => {
      const now = await agentPods();
      return now.length === 1 && now[0]!.spec.nodeName === n2 ? true : undefined;
    }, 60_000, 250);
    await kubectl.ok(['label', 'node', n1, 'tier=edge']);
    // Cordoned, yet a daemon's node: it gets its pod back.
    await waitFor('both nodes run it again', async () => ((await running()).map((p) => p.spec.nodeName).sort().join() === [n1, n2].sort().join() ? true : undefined), 60_000, 250);
    await kubectl.ok(['uncordon', n1]);
  });

  it('rolls out a new image, keeps the history, and rollout undo brings the old template back', async () => {
    await kubectl.ok(['set', 'image', 'daemonset/agent', 'agent=kubette/debian:bookworm']);
    await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    expect((await running()).map((p) => p.spec.containers[0].image)).toEqual(['kubette/debian:bookworm', 'kubette/debian:bookworm']);
    // Revisions: the first template, the one with the nodeSelector, the new image.
    const history = await kubectl.ok(['rollout', 'history', 'daemonset/agent']);
    expect(history.trim().split('\n').slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['1', '2', '3']);

    await kubectl.ok(['rollout', 'undo', 'daemonset/agent']);
    await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    const ds = await getJSON('/apis/apps/v1/namespaces/default/daemonsets/agent');
    expect(ds.spec.template.spec.containers[0].image).toBe('busybox:1.36');
    expect(ds.spec.template.spec.nodeSelector).toEqual({ tier: 'edge' });
    expect((await running()).map((p) => p.spec.containers[0].image)).toEqual(['busybox:1.36', 'busybox:1.36']);
    // The template that came back is renumbered the newest revision.
    const revisions = await kubectl.ok(['rollout', 'history', 'daemonset/agent']);
    expect(revisions.trim().split('\n').slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['1', '3', '4']);
  }, 120_000);
});
