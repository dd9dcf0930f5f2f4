// The apiserver's routes through fastify's inject, over the in-memory KV store: the REST
// semantics clients rely on, with no etcd, no sockets and no build. The same behaviour is
// checked against real etcd and real clients in test/integration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type ApiServer } from '../app.js';
import { MemoryKV } from '../storage/memory-kv.js';

type Obj = Record<string, any>;
let server: ApiServer;

beforeAll(async () => {
  server = build({ storage: new MemoryKV(), etcdCompactionIntervalMs: 0 });
  await server.ready;
  // What the controller-manager's service account controller would have made.
  await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'default' } });
});
afterAll(async () => {
  await server.close();
});

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await server.app.inject({
    method,
    url,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  let json: Obj = {};
  try {
    json = JSON.parse(res.body) as Obj;
  } catch {
    // watch streams and text
  }
  return { status: res.statusCode, body: json, text: res.body, headers: res.headers };
}

const configMap = (name: string, data: Record<string, string> = { a: '1' }, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('REST verbs', () => {
  it('creates, reads, lists with selectors, updates with optimistic concurrency and deletes', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('one', { a: '1' }, { tier: 'web' }));
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'one', namespace: 'default' });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    await call('POST', '/api/v1/namespaces/default/configmaps', configMap('two', {}, { tier: 'db' }));

    const got = await call('GET', '/api/v1/namespaces/default/configmaps/one');
    expect(got.body).toEqual(created.body);
    const list = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dweb');
    expect(list.body.kind).toBe('ConfigMapList');
    expect(list.body.items.map((i: Obj) => i.metadata.name)).toEqual(['one']);
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.body.metadata.resourceVersion));

    const updated = await call('PUT', '/api/v1/namespaces/default/configmaps/one', { ...created.body, data: { a: '2' } });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/one', { ...created.body, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });

    const deleted = await call('DELETE', '/api/v1/namespaces/default/configmaps/one');
    expect(deleted.status).toBe(200);
    const gone = await call('GET', '/api/v1/namespaces/default/configmaps/one');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'NotFound', details: { name: 'one', kind: 'configmaps' }, message: 'configmaps "one" not found' });
  });

  it('refuses a duplicate with AlreadyExists and an unknown resource with NotFound', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', configMap('dup'));
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('dup'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
    expect((await call('GET', '/api/v1/namespaces/default/widgets')).status).toBe(404);
  });

  it('applies merge, JSON and strategic merge patches', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', configMap('patched', { a: '1', b: '2' }));
    const merge = await call('PATCH', '/api/v1/namespaces/default/configmaps/patched', { data: { a: null, c: '3' } }, { 'content-type': 'application/merge-patch+json' });
    expect(merge.body.data).toEqual({ b: '2', c: '3' });
    const json = await call('PATCH', '/api/v1/namespaces/default/configmaps/patched', [{ op: 'replace', path: '/data/b', value: 'x' }], { 'content-type': 'application/json-patch+json' });
    expect(json.body.data).toEqual({ b: 'x', c: '3' });
    const bad = await call('PATCH', '/api/v1/namespaces/default/configmaps/patched', [{ op: 'test', path: '/data/b', value: 'nope' }], { 'content-type': 'application/json-patch+json' });
    expect(bad.status).toBe(422);

    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } };
    expect((await call('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    // Strategic merge: containers merge by name instead of being replaced.
    const smp = await call('PATCH', '/api/v1/namespaces/default/pods/p', { spec: { containers: [{ name: 'b', image: 'busybox:1.36' }] } }, { 'content-type': 'application/strategic-merge-patch+json' });
    expect(smp.body.spec.containers.map((c: Obj) => [c.name, c.image])).toEqual([
      ['a', 'busybox'],
      ['b', 'busybox:1.36'],
    ]);
  });

  it('answers a Table when kubectl asks for one', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', configMap('tabled', { a: '1', b: '2' }));
    const res = await call('GET', '/api/v1/namespaces/default/configmaps/tabled', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(res.body.kind).toBe('Table');
    expect(res.body.columnDefinitions.map((c: Obj) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(res.body.rows[0].cells.slice(0, 2)).toEqual(['tabled', 2]);
  });

  it('streams watch events from a resourceVersion until timeoutSeconds', async () => {
    const first = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('watched'));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/watched', { data: { a: '2' } }, { 'content-type': 'application/merge-patch+json' });
    await call('DELETE', '/api/v1/namespaces/default/configmaps/watched');
    const res = await call('GET', `/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dwatched&resourceVersion=${first.body.metadata.resourceVersion}`);
    expect(res.status).toBe(200);
    const events = res.text.trim().split('\n').map((l) => JSON.parse(l) as Obj);
    expect(events.map((e) => [e.type, e.object.data?.a])).toEqual([
      ['MODIFIED', '2'],
      ['DELETED', '2'],
    ]);
  });
});

describe('subresources', () => {
  it('scales a Deployment through its scale subresource', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    expect((await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment)).status).toBe(201);
    const scale = await call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { selector: 'app=web' } });
    const patched = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.body.spec.replicas).toBe(4);
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.spec.replicas).toBe(4);
  });

  it('binds a pod to a node once, and writes status only through the status subresource', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bindme' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
    expect((await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', binding)).status).toBe(201);
    const again = await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', { ...binding, target: { ...binding.target, name: 'node-2' } });
    expect(again.status).toBe(409);
    const pod = (await call('GET', '/api/v1/namespaces/default/pods/bindme')).body;
    expect(pod.spec.nodeName).toBe('node-1');

    // status on the main resource is ignored; through /status it is kept.
    const viaMain = await call('PUT', '/api/v1/namespaces/default/pods/bindme', { ...pod, status: { ...pod.status, phase: 'Running' } });
    expect(viaMain.body.status.phase).toBe('Pending');
    const viaStatus = await call('PUT', '/api/v1/namespaces/default/pods/bindme/status', { ...viaMain.body, status: { ...viaMain.body.status, phase: 'Running' } });
    expect(viaStatus.body.status.phase).toBe('Running');
  });
});

describe('discovery', () => {
  it('lists the core and named groups and their resources', async () => {
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).body.groups.map((g: Obj) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'batch', 'coordination.k8s.io', 'rbac.authorization.k8s.io']));
    const core = (await call('GET', '/api/v1')).body.resources.map((r: Obj) => r.name);
    expect(core).toEqual(expect.arrayContaining(['pods', 'pods/status', 'pods/binding', 'services', 'configmaps']));
  });
});

describe('ServiceAccount admission', () => {
  const pod = (name: string, spec: Obj = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

  it('mounts a projected kube-api-access volume (token, ca.crt, namespace) in every container', async () => {
    const res = await call('POST', '/api/v1/namespaces/default/pods', pod('sa-mounted', { initContainers: [{ name: 'i', image: 'busybox' }] }));
    expect(res.status).toBe(201);
    const spec = res.body.spec;
    expect(spec.serviceAccountName).toBe('default');
    const volume = spec.volumes.find((v: Obj) => v.name.startsWith('kube-api-access-'));
    expect(volume.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume.projected.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
  });

  it('mounts nothing when the pod or its service account turns automounting off', async () => {
    const off = await call('POST', '/api/v1/namespaces/default/pods', pod('sa-off', { automountServiceAccountToken: false }));
    expect(off.status).toBe(201);
    expect(off.body.spec.volumes ?? []).toEqual([]);
    await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'quiet' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'regcred' }] });
    const quiet = await call('POST', '/api/v1/namespaces/default/pods', pod('sa-quiet', { serviceAccountName: 'quiet' }));
    expect(quiet.status).toBe(201);
    expect(quiet.body.spec.volumes ?? []).toEqual([]);
    expect(quiet.body.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    // The pod's own choice wins over the account's.
    const on = await call('POST', '/api/v1/namespaces/default/pods', pod('sa-on', { serviceAccountName: 'quiet', automountServiceAccountToken: true }));
    expect(on.body.spec.volumes.map((v: Obj) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
  });

  it('refuses a pod whose service account does not exist, with 403 and the lookup error', async () => {
    const res = await call('POST', '/api/v1/namespaces/default/pods', pod('sa-missing', { serviceAccountName: 'ghost' }));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', message: 'pods "sa-missing" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found' });
    expect((await call('GET', '/api/v1/namespaces/default/pods/sa-missing')).status).toBe(404);
  });
});
