// Pods get API credentials, as in Kubernetes: the ServiceAccount admission mounts a projected
// kube-api-access volume, the kubelet fills it with a token bound to the pod, the cluster CA
// (published by the controller-manager as kube-root-ca.crt) and the namespace, and from
// inside the pod https://kubernetes.default.svc answers with that CA: the default service
// account is forbidden to list pods until a RoleBinding allows it. The bound token stops
// working once its pod is deleted. A Secret of type kubernetes.io/service-account-token gets a
// long-lived token from the controller-manager. etcd answers only the apiserver's certificate. A launcher
// cluster (secure by default) on real Docker, driven by kubectl 1.32.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '../../client/kubeconfig.js';
import { getClusterJSON, startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
const NS = 'sa-e2e';
const MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

// Runs inside the pod (Node.js image): lists pods in its namespace with its own credentials.
const LIST_PODS = `
const fs = require('fs'), https = require('https'), d = '${MOUNT}';
const ns = fs.readFileSync(d + '/namespace', 'utf8');
https.get({ host: 'kubernetes.default.svc', port: 443, path: '/api/v1/namespaces/' + ns + '/pods', ca: fs.readFileSync(d + '/ca.crt'),
  headers: { authorization: 'Bearer ' + fs.readFileSync(d + '/token', 'utf8') } }, (res) => {
  let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => console.log(JSON.stringify({ code: res.statusCode, body: JSON.parse(body) })));
}).on('error', (e) => console.log(JSON.stringify({ error: e.message })));`;

const getJSON = (path: string): Promise<Obj> => getClusterJSON(cluster, path);

/** A request to the secure port from the host with a bearer token, verified against the cluster CA. */
function secureGet(path: string, token: string): Promise<{ code: number; body: Obj }> {
  const cfg = loadClientConfig({ kubeconfig: cluster.kubeconfig });
  const url = new URL(cfg.server + path);
  return new Promise((resolve, reject) => {
    request(url, { ca: cfg.tls!.ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode!, body: JSON.parse(body) as Obj }));
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  await kubectl.ok(['create', 'namespace', NS]);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('pods get credentials', () => {
  it('a pod reaches https://kubernetes.default.svc with its token and the cluster CA: forbidden to list pods, allowed after a RoleBinding', async () => {
    // The namespace's default ServiceAccount and its kube-root-ca.crt come from the controller-manager.
    const rootCA = await waitFor('kube-root-ca.crt in the new namespace', () => getJSON(`/api/v1/namespaces/${NS}/configmaps/kube-root-ca.crt`).catch(() => undefined));
    expect(rootCA.data['ca.crt']).toBe(String(loadClientConfig({ kubeconfig: cluster.kubeconfig }).tls!.ca));
    await waitFor('the default ServiceAccount', () => getJSON(`/api/v1/namespaces/${NS}/serviceaccounts/default`).catch(() => undefined));

    await kubectl.ok(['-n', NS, 'run', 'client', '--image=kubette/node:20-bookworm', '--image-pull-policy=Never', '--', 'sleep', '3600']);
    const pod = await waitFor('the client pod Running', async () => {
      const p = await getJSON(`/api/v1/namespaces/${NS}/pods/client`);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 90_000, 250);
    const volume = (pod.spec.volumes as Obj[]).find((v) => v.name.startsWith('kube-api-access-'))!;
    expect(volume.projected.sources.map((s: Obj) => Object.keys(s)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: MOUNT }]);

    expect((await kubectl.ok(['-n', NS, 'exec', 'client', '--', 'cat', `${MOUNT}/namespace`])).trim()).toBe(NS);
    expect(await kubectl.ok(['-n', NS, 'exec', 'client', '--', 'ls', MOUNT])).toBe('ca.crt\nnamespace\ntoken\n');
    // The volume is read-only for the container.
    const write = await kubectl.run(['-n', NS, 'exec', 'client', '--', 'sh', '-c', `echo x > ${MOUNT}/token`]);
    expect(write.code).not.toBe(0);

    const listPods = async () => JSON.parse((await kubectl.ok(['-n', NS, 'exec', 'client', '--', 'node', '-e', LIST_PODS])).trim()) as Obj;
    const denied = await listPods();
    expect(denied).toMatchObject({
      code: 403,
      body: { kind: 'Status', reason: 'Forbidden', message: `pods is forbidden: User "system:serviceaccount:${NS}:default" cannot list resource "pods" in API group "" in the namespace "${NS}"` },
    });

    await kubectl.ok(['-n', NS, 'create', 'rolebinding', 'default-view', '--clusterrole=view', `--serviceaccount=${NS}:default`]);
    const allowed = await waitFor('the RoleBinding to take effect', async () => {
      const r = await listPods();
      return r.code === 200 ? r : undefined;
    }, 20_000, 250);
    expect(allowed.body.kind).toBe('PodList');
    expect(allowed.body.items.map((p: Obj) => p.metadata.name)).toEqual(['client']);
  });

  it('the token is bound to its pod: it authenticates as the service account until the pod is deleted', async () => {
    const token = await kubectl.ok(['-n', NS, 'exec', 'client', '--', 'cat', `${MOUNT}/token`]);
    const whoami = await secureGet('/apis/authentication.k8s.io/v1/selfsubjectreviews', token);
    // GET on a create-only kind: authenticated (not 401), refused as a method.
    expect(whoami.code).not.toBe(401);
    const listed = await secureGet(`/api/v1/namespaces/${NS}/pods`, token);
    expect(listed.code).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Obj;
    expect(claims['kubernetes.io']).toMatchObject({ namespace: NS, pod: { name: 'client' }, serviceaccount: { name: 'default' } });
    expect(claims.exp - claims.iat).toBe(3607);

    await kubectl.ok(['-n', NS, 'delete', 'pod', 'client', '--grace-period=1', '--wait=true', '--timeout=60s']);
    const after = await secureGet(`/api/v1/namespaces/${NS}/pods`, token);
    expect(after.code).toBe(401);
    expect(after.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('automountServiceAccountToken: false leaves the pod without credentials', async () => {
    await kubectl.ok(['-n', NS, 'run', 'quiet', '--image=busybox:1.36', '--overrides={"spec":{"automountServiceAccountToken":false}}', '--', 'sleep', '3600']);
    const pod = await getJSON(`/api/v1/namespaces/${NS}/pods/quiet`);
    expect(pod.spec.volumes ?? []).toEqual([]);
    await waitFor('the quiet pod Running', async () => (await getJSON(`/api/v1/namespaces/${NS}/pods/quiet`)).status?.phase === 'Running', 60_000, 250);
    const ls = await kubectl.run(['-n', NS, 'exec', 'quiet', '--', 'ls', MOUNT]);
    expect(ls.code).not.toBe(0);
  });
});

describe('a long-lived API token for a ServiceAccount, in a Secret', () => {
  it('the controller-manager fills the Secret; the token works, is tracked, and dies with its account', async () => {
    await kubectl.ok(['-n', NS, 'create', 'serviceaccount', 'build-robot']);
    await kubectl.ok(['-n', NS, 'create', 'rolebinding', 'robot-view', '--clusterrole=view', `--serviceaccount=${NS}:build-robot`]);
    const manifest = (name: string, account: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name, annotations: { 'kubernetes.io/service-account.name': account } } });
    await kubectl.ok(['-n', NS, 'apply', '-f', '-'], manifest('build-robot-secret', 'build-robot'));
    const filled = await waitFor('the token Secret filled', async () => {
      const s = await getJSON(`/api/v1/namespaces/${NS}/secrets/build-robot-secret`);
      return s.data?.token ? s : undefined;
    }, 30_000, 100);
    const account = await getJSON(`/api/v1/namespaces/${NS}/serviceaccounts/build-robot`);
    expect(filled.metadata.annotations['kubernetes.io/service-account.uid']).toBe(account.metadata.uid);
    expect(Buffer.from(filled.data['ca.crt'], 'base64').toString()).toBe(loadClientConfig({ kubeconfig: cluster.kubeconfig }).tls!.ca);
    expect(Buffer.from(filled.data.namespace, 'base64').toString()).toBe(NS);
    const token = Buffer.from(filled.data.token, 'base64').toString();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Obj;
    expect(claims).toMatchObject({ iss: 'kubernetes/serviceaccount', sub: `system:serviceaccount:${NS}:build-robot` });
    expect(claims.exp).toBeUndefined();

    expect((await secureGet(`/api/v1/namespaces/${NS}/pods`, token)).code).toBe(200);
    expect((await secureGet('/api/v1/pods', token)).code).toBe(403);
    // Its Secret records the day it was used, as `kubectl get secrets -L kubernetes.io/legacy-token-last-used` shows.
    const today = new Date().toISOString().slice(0, 10);
    await waitFor('the last-used label', async () => (await getJSON(`/api/v1/namespaces/${NS}/secrets/build-robot-secret`)).metadata.labels?.['kubernetes.io/legacy-token-last-used'] >= today, 10_000, 100);
    // Marked invalid, it is refused until the label goes.
    await kubectl.ok(['-n', NS, 'label', 'secret', 'build-robot-secret', 'kubernetes.io/legacy-token-invalid-since=2026-01-01']);
    await waitFor('the marked token refused', async () => (await secureGet(`/api/v1/namespaces/${NS}/pods`, token)).code === 401, 10_000, 100);
    await kubectl.ok(['-n', NS, 'label', 'secret', 'build-robot-secret', 'kubernetes.io/legacy-token-invalid-since-']);
    await waitFor('the token accepted again', async () => (await secureGet(`/api/v1/namespaces/${NS}/pods`, token)).code === 200, 10_000, 100);

    // Deleting the account deletes its token Secrets, and the token stops working.
    await kubectl.ok(['-n', NS, 'delete', 'serviceaccount', 'build-robot']);
    await waitFor('the token Secret deleted', async () => (await kubectl.run(['-n', NS, 'get', 'secret', 'build-robot-secret'])).code !== 0, 30_000, 100);
    const after = await secureGet(`/api/v1/namespaces/${NS}/pods`, token);
    expect(after.code).toBe(401);

    // A token Secret for an account that does not exist is deleted; one without the annotation is refused.
    await kubectl.ok(['-n', NS, 'apply', '-f', '-'], manifest('orphan-token', 'nobody'));
    await waitFor('the orphan token Secret deleted', async () => (await kubectl.run(['-n', NS, 'get', 'secret', 'orphan-token'])).code !== 0, 30_000, 100);
    const unnamed = await kubectl.run(['-n', NS, 'create', 'secret', 'generic', 'unnamed', '--type=kubernetes.io/service-account-token']);
    expect(unnamed.code).not.toBe(0);
    expect(unnamed.stderr).toContain('metadata.annotations[kubernetes.io/service-account.name]: Required value');
  });
});

describe('etcd behind TLS', () => {
  it('answers only clients with a certificate from its own CA: the apiserver, not a cluster admin', async () => {
    const etcdDir = join(cluster.dataDir, 'pki', 'etcd');
    const ca = readFileSync(join(etcdDir, 'ca.crt'), 'utf8');
    const health = async (cert?: string, key?: string) => {
      const agent = new Agent({ connect: { ca, cert, key } });
      try {
        const res = await undiciRequest(`${cluster.etcdURL}/health`, { dispatcher: agent });
        return { code: res.statusCode, body: await res.body.text() };
      } catch (err) {
        return { error: (err as Error).message };
      } finally {
        await agent.close();
      }
    };
    const pki = join(cluster.dataDir, 'pki');
    expect(await health(readFileSync(join(pki, 'apiserver-etcd-client.crt'), 'utf8'), readFileSync(join(pki, 'apiserver-etcd-client.key'), 'utf8'))).toMatchObject({ code: 200 });
    // No certificate, or the cluster admin's (another CA): the handshake fails.
    expect(await health()).toHaveProperty('error');
    const admin = loadClientConfig({ kubeconfig: cluster.kubeconfig }).tls!;
    expect(await health(admin.cert, admin.key)).toHaveProperty('error');
    // Plain HTTP gets nothing either.
    const plain = await fetch(cluster.etcdURL.replace('https:', 'http:') + '/health').then((r) => r.status, () => 'refused');
    expect(plain).not.toBe(200);
  });
});
