// DaemonSets and StatefulSets as a user runs them, with unmodified kubectl 1.32 on a two-node
// launcher cluster (real Docker). DaemonSets: one pod per node, placed by the scheduler; a
// nodeSelector narrows them; a cordoned node keeps its daemon; a new image rolls out (kubectl
// rollout status), shows in rollout history, and rollout undo brings the previous template
// back. StatefulSets: pods created in order, each after the previous is ready, with stable
// names that resolve in cluster DNS through the headless Service; scale-down from the top;
// a rolling update from the highest ordinal; per-pod volumes from the default local-path class
// whose data outlives the pod and is deleted with its claim; a generic ephemeral volume's claim
// made for its pod and deleted with it. Drain: kubectl drain empties a node through
// evictions while a Deployment with a PodDisruptionBudget never drops below its budget.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClusterJSON, startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

const getJSON = (path: string): Promise<Obj> => getClusterJSON(cluster, path);
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
    // A taint the daemon does not tolerate takes it off that node; untainted, it comes back.
    await kubectl.ok(['taint', 'node', n2, 'dedicated=db:NoExecute']);
    await waitFor('the tainted node without its daemon', async () => ((await agentPods()).every((p) => p.spec.nodeName !== n2) ? true : undefined), 60_000, 250);
    await kubectl.ok(['taint', 'node', n2, 'dedicated=db:NoExecute-']);
    await waitFor('the daemon back on the untainted node', async () => ((await running()).some((p) => p.spec.nodeName === n2) ? true : undefined), 60_000, 250);
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
    // kubectl compares its own encoding of the template with the revision's data, byte for byte:
    // a rollback to the template in place is skipped, as on Kubernetes.
    expect(await kubectl.ok(['rollout', 'undo', 'daemonset/agent', '--to-revision=4'])).toContain('daemonset.apps/agent skipped rollback (current template already matches revision 4)');
  }, 120_000);
});

describe('DaemonSet surge', () => {
  it('with maxSurge 1 and maxUnavailable 0 every node keeps a ready daemon throughout the rollout', async () => {
    await kubectl.ok(['patch', 'daemonset', 'agent', '-p', JSON.stringify({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: { spec: { containers: [{ name: 'agent', readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1, timeoutSeconds: 10 } }] } } } })]);
    await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    let gap = '';
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ready = (await agentPods()).filter((p) => (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
        for (const n of cluster.nodes) if (!ready.some((p) => p.spec.nodeName === n)) gap ||= `${n} had no ready daemon`;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await kubectl.ok(['set', 'image', 'daemonset/agent', 'agent=kubette/debian:bookworm']);
    await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    sampling = false;
    await sampler;
    expect(gap).toBe('');
    expect((await running()).map((p) => p.spec.containers[0].image)).toEqual(['kubette/debian:bookworm', 'kubette/debian:bookworm']);
  }, 120_000);
});

describe('StatefulSets', () => {
  const pods = async () => ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as Obj[]).filter((p) => !p.metadata.deletionTimestamp);
  const sts = (image: string, replicas: number) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        serviceName: 'web',
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'web', image, command: ['sh', '-c', "trap 'exit 0' TERM; echo $(hostname) > /tmp/name; while true; do sleep 1; done"], readinessProbe: { exec: { command: ['cat', '/tmp/name'] }, periodSeconds: 1, timeoutSeconds: 10 } }],
          },
        },
      },
    });

  it('creates web-0, web-1, web-2 in order, each once the one before is ready, with names in DNS', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } }));
    await kubectl.ok(['apply', '-f', '-'], sts('busybox:1.36', 3));
    await kubectl.ok(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    const list = await pods();
    expect(list.map((p) => p.metadata.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    // Each was created after the one before it became ready.
    const byName = new Map(list.map((p) => [p.metadata.name, p]));
    for (const [prev, next] of [['web-0', 'web-1'], ['web-1', 'web-2']] as const) {
      const readyAt = Date.parse((byName.get(prev)!.status.conditions as Obj[]).find((c) => c.type === 'Ready')!.lastTransitionTime);
      expect(Date.parse(byName.get(next)!.metadata.creationTimestamp)).toBeGreaterThanOrEqual(readyAt - 1000);
    }
    expect((await kubectl.ok(['exec', 'web-1', '--', 'hostname'])).trim()).toBe('web-1');
    // web-0.web.default.svc.cluster.local is web-0's address, seen from web-2.
    const ip0 = byName.get('web-0')!.status.podIP;
    const answer = await waitFor('web-0 in DNS', async () => {
      const out = await kubectl.run(['exec', 'web-2', '--', 'nslookup', 'web-0.web.default.svc.cluster.local']);
      return out.stdout.includes(ip0) ? out.stdout : undefined;
    }, 30_000, 500);
    expect(answer).toContain(ip0);
  }, 120_000);

  it('scales down from the highest ordinal and rolls a new image out from the top', async () => {
    await kubectl.ok(['scale', 'statefulset', 'web', '--replicas=2']);
    await waitFor('web-2 gone', async () => ((await pods()).map((p) => p.metadata.name).sort().join() === 'web-0,web-1' ? true : undefined), 60_000, 250);
    await kubectl.ok(['set', 'image', 'statefulset/web', 'web=kubette/debian:bookworm']);
    await kubectl.ok(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    const list = await pods();
    expect(list.map((p) => p.spec.containers[0].image)).toEqual(['kubette/debian:bookworm', 'kubette/debian:bookworm']);
    // web-1 was replaced before web-0.
    const created = new Map(list.map((p) => [p.metadata.name, Date.parse(p.metadata.creationTimestamp)]));
    expect(created.get('web-1')!).toBeLessThanOrEqual(created.get('web-0')!);
    const s = await getJSON('/apis/apps/v1/namespaces/default/statefulsets/web');
    expect(s.status).toMatchObject({ replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: s.status.updateRevision });
    // And back: rollout undo restores the previous template.
    await kubectl.ok(['rollout', 'undo', 'statefulset/web']);
    await kubectl.ok(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    expect((await pods()).map((p) => p.spec.containers[0].image)).toEqual(['busybox:1.36', 'busybox:1.36']);
  }, 120_000);
});

describe('disruption budgets and kubectl drain', () => {
  it('drain evicts what it may, retrying on 429 while the budget holds, and leaves the node empty', async () => {
    const [n1] = cluster.nodes as [string, string];
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'steady' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'steady' } },
        template: {
          metadata: { labels: { app: 'steady' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"], readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1, timeoutSeconds: 10 } }],
          },
        },
      },
    }));
    await kubectl.ok(['rollout', 'status', 'deployment/steady', '--timeout=120s']);
    await kubectl.ok(['create', 'pdb', 'steady', '--selector=app=steady', '--max-unavailable=1']);
    const pdb = await waitFor('the budget computed', async () => {
      const b = await getJSON('/apis/policy/v1/namespaces/default/poddisruptionbudgets/steady');
      return b.status?.expectedPods === 4 ? b : undefined;
    }, 30_000, 250);
    expect(pdb.status).toMatchObject({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 4, disruptionsAllowed: 1 });
    const [header] = (await kubectl.ok(['get', 'pdb'])).trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);

    // Watch the budget from the outside while the node drains.
    let lowest = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const list = (await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dsteady')).items as Obj[];
        const ready = list.filter((p) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True')).length;
        lowest = Math.min(lowest, ready);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const drained = await kubectl.run(['drain', n1, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s']);
    sampling = false;
    await sampler;
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain(`node/${n1} drained`);
    expect(lowest).toBeGreaterThanOrEqual(3);
    const left = ((await getJSON(`/api/v1/pods?fieldSelector=spec.nodeName%3D${n1}`)).items as Obj[]).filter((p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet');
    expect(left.map((p) => p.metadata.name)).toEqual([]);
    expect((await getJSON(`/api/v1/nodes/${n1}`)).spec.unschedulable).toBe(true);
    await kubectl.ok(['uncordon', n1]);
  }, 180_000);

  it('an eviction that would break the budget is 429 with the numbers of the budget', async () => {
    await kubectl.ok(['patch', 'pdb', 'steady', '--type=merge', '-p', '{"spec":{"maxUnavailable":0}}']);
    // The drain before this moved pods: wait until all four are healthy again, so the budget is
    // exactly met (no disruption allowed, none missing).
    await waitFor('all four healthy, no disruption allowed', async () => {
      const status = (await getJSON('/apis/policy/v1/namespaces/default/poddisruptionbudgets/steady')).status;
      return status?.currentHealthy === 4 && status?.disruptionsAllowed === 0 ? true : undefined;
    }, 60_000, 250);
    const victim = ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dsteady')).items as Obj[])[0]!;
    const res = await fetch(`${cluster.server}/api/v1/namespaces/default/pods/${victim.metadata.name}/eviction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim.metadata.name } }),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget steady needs 4 healthy pods and has 4 currently' }] },
    });
  });
});

describe('persistent volumes', () => {
  it('a StatefulSet gets a volume per pod from the default class; its data outlives the pod and goes with the claim', async () => {
    const classes = (await getJSON('/apis/storage.k8s.io/v1/storageclasses')).items as Obj[];
    expect(classes.map((c) => [c.metadata.name, c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], c.volumeBindingMode])).toEqual([['local-path', 'true', 'WaitForFirstConsumer']]);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'store' }, spec: { clusterIP: 'None', selector: { app: 'store' }, ports: [{ port: 80 }] } }));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'store' },
      spec: {
        serviceName: 'store',
        replicas: 2,
        selector: { matchLabels: { app: 'store' } },
        template: {
          metadata: { labels: { app: 'store' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"], volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } }],
      },
    }));
    await kubectl.ok(['rollout', 'status', 'statefulset/store', '--timeout=90s']);
    const claims = ((await getJSON('/api/v1/namespaces/default/persistentvolumeclaims')).items as Obj[]).filter((c) => c.metadata.name.startsWith('data-store-'));
    expect(claims.map((c) => [c.metadata.name, c.spec.storageClassName, c.status.phase]).sort()).toEqual([['data-store-0', 'local-path', 'Bound'], ['data-store-1', 'local-path', 'Bound']]);
    const pv = await getJSON(`/api/v1/persistentvolumes/${claims.find((c) => c.metadata.name === 'data-store-0')!.spec.volumeName}`);
    const pod0 = await getJSON('/api/v1/namespaces/default/pods/store-0');
    expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values).toEqual([pod0.spec.nodeName]);
    expect(pv.status.phase).toBe('Bound');

    await kubectl.ok(['exec', 'store-0', '--', 'sh', '-c', 'echo kept > /data/proof']);
    expect(readFileSync(`${pv.spec.hostPath.path}/proof`, 'utf8')).toBe('kept\n');
    const uid = pod0.metadata.uid;
    await kubectl.ok(['delete', 'pod', 'store-0']);
    await waitFor('store-0 back and ready', async () => {
      const p = await getJSON('/api/v1/namespaces/default/pods/store-0').catch(() => undefined);
      return p && p.metadata.uid !== uid && p.status?.phase === 'Running' ? true : undefined;
    }, 60_000, 250);
    expect((await kubectl.ok(['exec', 'store-0', '--', 'cat', '/data/proof'])).trim()).toBe('kept');

    // A claim deleted while its pod runs stays (Terminating, pvc-protection) until the pod is gone.
    await kubectl.ok(['delete', 'pvc', 'data-store-1', '--wait=false']);
    await new Promise((r) => setTimeout(r, 1500));
    const held = await getJSON('/api/v1/namespaces/default/persistentvolumeclaims/data-store-1');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect((await kubectl.ok(['exec', 'store-1', '--', 'sh', '-c', 'echo still > /data/x && cat /data/x'])).trim()).toBe('still');

    // Claims outlive their set (retention Retain); deleting a claim deletes its volume and data (reclaim Delete).
    await kubectl.ok(['delete', 'statefulset', 'store', '--wait=true']);
    await waitFor('store pods gone', async () => (((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dstore')).items as Obj[]).length === 0 ? true : undefined), 60_000, 250);
    await kubectl.ok(['delete', 'pvc', 'data-store-0', '--wait=false']);
    await waitFor('both claims gone', async () => (((await getJSON('/api/v1/namespaces/default/persistentvolumeclaims')).items as Obj[]).some((c) => c.metadata.name.startsWith('data-store-')) ? undefined : true), 30_000, 250);
    await waitFor('the volume deleted', async () => ((await fetch(`${cluster.server}/api/v1/persistentvolumes/${pv.metadata.name}`)).status === 404 ? true : undefined), 30_000, 250);
    expect(existsSync(pv.spec.hostPath.path)).toBe(false);
  }, 180_000);

  it('a generic ephemeral volume: a claim made for the pod from its template, deleted with the pod', async () => {
    const manifest = (name: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', "echo scratch > /scratch/proof; trap 'exit 0' TERM; while true; do sleep 1; done"], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
          volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { metadata: { labels: { type: 'scratch' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Mi' } } } } } }],
        },
      });
    await kubectl.ok(['apply', '-f', '-'], manifest('scratcher'));
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/scratcher', '--timeout=90s']);
    const pod = await getJSON('/api/v1/namespaces/default/pods/scratcher');
    const claim = await getJSON('/api/v1/namespaces/default/persistentvolumeclaims/scratcher-scratch');
    expect(claim.metadata.labels).toEqual({ type: 'scratch' });
    expect(claim.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'scratcher', uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect([claim.spec.storageClassName, claim.status.phase]).toEqual(['local-path', 'Bound']);
    const pv = await getJSON(`/api/v1/persistentvolumes/${claim.spec.volumeName}`);
    expect(readFileSync(`${pv.spec.hostPath.path}/proof`, 'utf8')).toBe('scratch\n');
    // The claim grows while its pod uses it (local-path allows expansion): the volume first, then the claim.
    await kubectl.ok(['patch', 'pvc', 'scratcher-scratch', '-p', '{"spec":{"resources":{"requests":{"storage":"16Mi"}}}}']);
    const grown = await waitFor('the claim grown', async () => {
      const c = await getJSON('/api/v1/namespaces/default/persistentvolumeclaims/scratcher-scratch');
      return c.status?.capacity?.storage === '16Mi' ? c : undefined;
    }, 30_000, 250);
    expect(grown.status).toMatchObject({ phase: 'Bound', allocatedResources: { storage: '16Mi' } });
    expect([grown.status.conditions, grown.status.allocatedResourceStatuses]).toEqual([undefined, undefined]);
    expect((await getJSON(`/api/v1/persistentvolumes/${pv.metadata.name}`)).spec.capacity).toEqual({ storage: '16Mi' });
    expect(await kubectl.ok(['get', 'pvc', 'scratcher-scratch', '-o', 'custom-columns=CAPACITY:.status.capacity.storage', '--no-headers'])).toBe('16Mi\n');
    const resized = await waitFor('the resize events', async () => {
      const events = (await getJSON('/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dscratcher-scratch')).items as Obj[];
      const reasons = events.map((e) => e.reason);
      return reasons.includes('Resizing') && reasons.includes('VolumeResizeSuccessful') ? events : undefined;
    }, 30_000, 250);
    expect(resized.find((e) => e.reason === 'VolumeResizeSuccessful')!.source.component).toBe('volume_expand');
    expect((await kubectl.ok(['exec', 'scratcher', '--', 'cat', '/scratch/proof'])).trim()).toBe('scratch');
    // Shrinking is refused (validation), as is growing a claim that is not bound (PersistentVolumeClaimResize).
    const shrink = await kubectl.run(['patch', 'pvc', 'scratcher-scratch', '-p', '{"spec":{"resources":{"requests":{"storage":"8Mi"}}}}']);
    expect(shrink.stderr).toContain('spec.resources.requests.storage: Forbidden: field can not be less than status.capacity');

    // The claim goes with its pod (owner reference), and its volume with the claim.
    await kubectl.ok(['delete', 'pod', 'scratcher', '--wait=true', '--timeout=60s']);
    await waitFor('the claim deleted with its pod', async () => ((await fetch(`${cluster.server}/api/v1/namespaces/default/persistentvolumeclaims/scratcher-scratch`)).status === 404 ? true : undefined), 30_000, 250);
    await waitFor('its volume deleted', async () => ((await fetch(`${cluster.server}/api/v1/persistentvolumes/${pv.metadata.name}`)).status === 404 ? true : undefined), 30_000, 250);

    // A claim of that name that someone else made is never the pod's: the pod waits, saying why.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'squatter-scratch' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Mi' } } } }));
    await kubectl.ok(['apply', '-f', '-'], manifest('squatter'));
    const event = await waitFor('a FailedScheduling event', async () => {
      const events = (await getJSON('/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dsquatter')).items as Obj[];
      return events.find((e) => e.reason === 'FailedScheduling');
    }, 30_000, 250);
    expect(event.message).toContain('PVC default/squatter-scratch was not created for pod default/squatter (pod is not owner)');
    const grow = await kubectl.run(['patch', 'pvc', 'squatter-scratch', '-p', '{"spec":{"resources":{"requests":{"storage":"16Mi"}}}}']);
    expect(grow.stderr).toContain('Only bound persistent volume claims can be expanded');
    await kubectl.ok(['delete', 'pod', 'squatter', '--wait=true', '--timeout=60s']);
    await kubectl.ok(['delete', 'pvc', 'squatter-scratch', '--wait=true', '--timeout=60s']);
  }, 180_000);
});
