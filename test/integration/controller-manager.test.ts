// The controller-manager process against the apiserver, without kubelets: the garbage
// collector's corner cases (dangling owners, several owners, ownership cycles in both
// propagation modes) and the replica controllers' claiming (adopt and release), where pods
// only need to exist as API objects.
import { flattenedVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import type { KubeObject, OwnerReference } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

let api: ApiServerHandle;
let manager: Proc;
let client: RestClient;
const configmaps = resource('v1/configmaps');
const pods = resource('v1/pods');
const rcs = resource('v1/replicationcontrollers');

const ref = (o: KubeObject, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid!, ...(block ? { blockOwnerDeletion: true } : {}) });
const cm = (name: string, owners: OwnerReference[] = []) => client.create<KubeObject>(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) }, data: { k: name } });
const exists = async (name: string) => client.get(configmaps, 'default', name).then(() => true, (err) => (err instanceof StatusError && err.code === 404 ? false : Promise.reject(err)));
const gone = (...names: string[]) => waitFor(`${names.join(', ')} collected`, async () => ((await Promise.all(names.map(exists))).every((e) => !e) ? true : undefined), 20_000, 100);

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
  manager = startComponent('controller-manager', ['--master', api.url, '--leader-elect=false', '--port', '0', '--controllers', '*,-nodelifecycle,bootstrapsigner,tokencleaner']);
});
afterAll(async () => {
  await manager?.stop();
  await client?.close();
  await api?.stop();
});

describe('garbage collector', () => {
  it('deletes a dependent whose owner never existed, and keeps one that still has a live owner', async () => {
    const ghost: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' };
    await cm('dangling', [ghost]);
    await gone('dangling');
    const keeper = await cm('keeper');
    const doomed = await cm('doomed');
    await cm('shared', [ref(keeper), ref(doomed)]);
    await client.delete(configmaps, 'default', 'doomed');
    const shared = await waitFor('shared loses its dead owner', async () => {
      const o = await client.get(configmaps, 'default', 'shared');
      return o.metadata.ownerReferences?.length === 1 ? o : undefined;
    }, 20_000, 100);
    expect(shared.metadata.ownerReferences![0]!.uid).toBe(keeper.metadata.uid);
  });

  it('collects an ownership cycle deleted in the background', async () => {
    const a = await cm('cycle-a');
    const b = await cm('cycle-b', [ref(a)]);
    await client.patch(configmaps, 'default', 'cycle-a', { metadata: { ownerReferences: [ref(b)] } }, 'merge');
    await cm('cycle-leaf', [ref(a)]);
    await client.delete(configmaps, 'default', 'cycle-a');
    await gone('cycle-a', 'cycle-b', 'cycle-leaf');
  });

  it('finishes a foreground deletion through a blocking cycle', async () => {
    const a = await cm('fg-a');
    const b = await cm('fg-b', [ref(a, true)]);
    await client.patch(configmaps, 'default', 'fg-a', { metadata: { ownerReferences: [ref(b, true)] } }, 'merge');
    await cm('fg-leaf', [ref(b, true)]);
    await client.delete(configmaps, 'default', 'fg-a', { propagationPolicy: 'Foreground' });
    const during = await client.get(configmaps, 'default', 'fg-a').catch(() => undefined);
    if (during) expect(during.metadata.finalizers).toContain('foregroundDeletion');
    await gone('fg-a', 'fg-b', 'fg-leaf');
  });

  it('orphans dependents when asked to', async () => {
    const owner = await cm('parent');
    await cm('child', [ref(owner)]);
    await client.delete(configmaps, 'default', 'parent', { propagationPolicy: 'Orphan' });
    await gone('parent');
    const child = await client.get(configmaps, 'default', 'child');
    expect(child.metadata.ownerReferences).toBeUndefined();
  });
});

describe('replication controller', () => {
  const podOf = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  const owned = async (uid: string) => (await client.list(pods, 'default', { labelSelector: 'app=rc' })).items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller) && !p.metadata.deletionTimestamp);

  it('adopts a matching orphan, creates the rest, and releases a pod whose labels stop matching', async () => {
    await client.create(pods, 'default', podOf('orphan', { app: 'rc' }));
    const rc = await client.create<KubeObject>(rcs, 'default', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc' },
      spec: { replicas: 3, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    const three = await waitFor('3 owned pods', async () => {
      const o = await owned(rc.metadata.uid!);
      return o.length === 3 ? o : undefined;
    }, 20_000, 100);
    expect(three.map((p) => p.metadata.name)).toContain('orphan');
    const status = await waitFor('status', async () => {
      const r = await client.get(rcs, 'default', 'rc');
      return r.status?.replicas === 3 ? r.status : undefined;
    }, 20_000, 100);
    expect(status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
    // Zero counts are left out as Go's omitempty does; replicas has none, so it is always there.
    expect([status.readyReplicas, status.availableReplicas]).toEqual([undefined, undefined]);

    await client.patch(pods, 'default', 'orphan', { metadata: { labels: { app: 'elsewhere' } } }, 'merge');
    await waitFor('orphan released and replaced', async () => {
      const released = await client.get(pods, 'default', 'orphan');
      return !released.metadata.ownerReferences && (await owned(rc.metadata.uid!)).length === 3 ? true : undefined;
    }, 20_000, 100);
  });
});

describe('deployment', () => {
  const deployments = resource('apps/v1/deployments');
  const replicasets = resource('apps/v1/replicasets');
  const deployment = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } }, ...spec },
  });
  const setsOf = async (app: string) => (await client.list(replicasets, 'default', { labelSelector: `app=${app}` })).items;

  it('Recreate scales the old ReplicaSet to zero before the new one gets pods', async () => {
    await client.create(deployments, 'default', deployment('recreate', { strategy: { type: 'Recreate' } }));
    const first = await waitFor('first ReplicaSet with 2 pods', async () => {
      const [rs] = await setsOf('recreate');
      return rs?.status?.replicas === 2 ? rs : undefined;
    }, 20_000, 100);
    await client.patch(deployments, 'default', 'recreate', { spec: { template: { metadata: { labels: { app: 'recreate', v: '2' } } } } }, 'strategic');
    // Sampled all along: the new ReplicaSet never has pods while the old one still does.
    const overlaps: string[] = [];
    const sets = await waitFor('second ReplicaSet with 2 pods', async () => {
      const all = await setsOf('recreate');
      const next = all.find((rs) => rs.metadata.uid !== first.metadata.uid);
      const old = all.find((rs) => rs.metadata.uid === first.metadata.uid);
      if ((next?.status?.replicas ?? 0) > 0 && (old?.status?.replicas ?? 0) > 0) overlaps.push(`${old!.status.replicas} old with ${next!.status.replicas} new`);
      return next?.status?.replicas === 2 ? all : undefined;
    }, 20_000, 20);
    expect(overlaps).toEqual([]);
    const old = sets.find((rs) => rs.metadata.uid === first.metadata.uid)!;
    expect(old.spec.replicas).toBe(0);
    const next = sets.find((rs) => rs.metadata.uid !== first.metadata.uid)!;
    expect(next.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('reports ProgressDeadlineExceeded when pods never become available', async () => {
    // No kubelet here: the pods never run, so the rollout cannot progress.
    await client.create(deployments, 'default', deployment('stuck', { progressDeadlineSeconds: 2 }));
    const d = await waitFor('deadline exceeded', async () => {
      const x = await client.get(deployments, 'default', 'stuck');
      return x.status?.conditions?.some((c: Record<string, string>) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ? x : undefined;
    }, 20_000, 200);
    expect(d.status.conditions.find((c: Record<string, string>) => c.type === 'Progressing')).toMatchObject({ status: 'False', message: expect.stringMatching(/^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/) });
    expect(d.status.conditions.find((c: Record<string, string>) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });
});

describe('clusterrole aggregation', () => {
  const clusterroles = resource('rbac.authorization.k8s.io/v1/clusterroles');
  it('adds the rules of a new role labelled aggregate-to-view to view (and so to edit and admin), and drops them when it goes', async () => {
    const rule = { verbs: ['get', 'list', 'watch'], apiGroups: ['stable.example.com'], resources: ['crontabs'] };
    await client.create<KubeObject>(clusterroles, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'crontab-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [rule],
    } as KubeObject);
    const has = async (name: string) => ((await client.get<KubeObject & { rules: unknown[] }>(clusterroles, undefined, name)).rules ?? []).some((r) => JSON.stringify(r) === JSON.stringify(rule));
    for (const name of ['view', 'edit', 'admin']) await waitFor(`${name} aggregates crontab-viewer`, async () => ((await has(name)) ? true : undefined), 20_000, 100);
    await client.delete(clusterroles, undefined, 'crontab-viewer');
    await waitFor('view drops the rule', async () => (!(await has('view')) ? true : undefined), 20_000, 100);
  });
});

describe('root-CA publisher', () => {
  it('puts kube-root-ca.crt in every namespace, new ones included, and restores it when deleted', async () => {
    const namespaces = resource('v1/namespaces');
    await client.create<KubeObject>(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ca-pub' } });
    const present = (ns: string) => waitFor(`kube-root-ca.crt in ${ns}`, () => client.get<KubeObject & { data: Record<string, string> }>(configmaps, ns, 'kube-root-ca.crt').catch(() => undefined), 20_000, 100);
    for (const ns of ['default', 'kube-system', 'ca-pub']) expect(Object.keys((await present(ns)).data)).toEqual(['ca.crt']);
    await client.delete(configmaps, 'ca-pub', 'kube-root-ca.crt');
    await present('ca-pub');
  });
});

describe('bootstrap tokens (--controllers with bootstrapsigner,tokencleaner, as kubeadm runs it)', () => {
  it('signs cluster-info for each signing token, and deletes a token once it expires, its signature with it', async () => {
    const secrets = resource('v1/secrets');
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    const token = (id: string, expiration?: string) =>
      client.create<KubeObject>(secrets, 'kube-system', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `bootstrap-token-${id}` },
        type: 'bootstrap.kubernetes.io/token',
        data: { 'token-id': b64(id), 'token-secret': b64(`${id}0123456789`), 'usage-bootstrap-signing': b64('true'), 'usage-bootstrap-authentication': b64('true'), ...(expiration ? { expiration: b64(expiration) } : {}) },
      } as KubeObject);
    const kubeconfig = `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: ${b64('ca')}\n    server: ${api.url}\n  name: ""\n`;
    await client.create<KubeObject>(configmaps, 'kube-public', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data: { kubeconfig } } as KubeObject);
    await token('keepme');
    await token('expire', new Date(Date.now() + 4000).toISOString());
    const data = async () => ((await client.get<KubeObject & { data?: Record<string, string> }>(configmaps, 'kube-public', 'cluster-info')).data ?? {});
    const signed = await waitFor('both signatures', async () => {
      const d = await data();
      return d['jws-kubeconfig-keepme'] && d['jws-kubeconfig-expire'] ? d : undefined;
    });
    // A JWS library accepts each with the kubeconfig put back as its payload, keyed by that token's secret.
    for (const id of ['keepme', 'expire']) {
      const [prot, , signature] = signed[`jws-kubeconfig-${id}`]!.split('.');
      const verified = await flattenedVerify({ protected: prot!, payload: Buffer.from(kubeconfig).toString('base64url'), signature: signature! }, new TextEncoder().encode(`${id}0123456789`));
      expect(new TextDecoder().decode(verified.payload)).toBe(kubeconfig);
    }
    const secretGone = async () => client.get(secrets, 'kube-system', 'bootstrap-token-expire').then(() => false, (err) => (err instanceof StatusError && err.code === 404 ? true : Promise.reject(err)));
    await waitFor('the expired token to be deleted', async () => ((await secretGone()) ? true : undefined), 20_000, 200);
    await waitFor('its signature to go', async () => ((await data())['jws-kubeconfig-expire'] === undefined ? true : undefined));
    expect((await data())['jws-kubeconfig-keepme']).toBe(signed['jws-kubeconfig-keepme']);
    expect((await data()).kubeconfig).toBe(kubeconfig);
  });
});
