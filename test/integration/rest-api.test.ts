// The REST API as curl and any HTTP client see it, against real etcd and the apiserver process.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { restCaller } from '../harness/rest.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
});
afterAll(async () => {
  await api?.stop();
});

const call = restCaller(() => api.url);

const cm = (name: string, data: Record<string, string> = { k: 'v' }, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

describe('discovery and health', () => {
  it('serves the root paths, API versions, groups and resource lists', async () => {
    const root = await call('GET', '/');
    expect(root.json.paths).toEqual(expect.arrayContaining(['/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/healthz']));
    expect((await call('GET', '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).json;
    expect(groups.kind).toBe('APIGroupList');
    const autoscaling = groups.groups.find((g: any) => g.name === 'autoscaling');
    expect(autoscaling.preferredVersion.groupVersion).toBe('autoscaling/v2');
    expect(autoscaling.versions.map((v: any) => v.version)).toEqual(['v2', 'v1']);
    const apps = (await call('GET', '/apis/apps/v1')).json;
    expect(apps.resources).toContainEqual({
      name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
    });
    expect(apps.resources.find((r: any) => r.name === 'deployments')).toMatchObject({ shortNames: ['deploy'], categories: ['all'], kind: 'Deployment' });
    const hpa = (await call('GET', '/apis/autoscaling/v1')).json;
    expect(hpa.resources.map((r: any) => r.name)).toEqual(['horizontalpodautoscalers', 'horizontalpodautoscalers/status']);
    const core = (await call('GET', '/api/v1')).json;
    expect(core.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/status', 'pods/binding', 'pods/log', 'pods/exec', 'pods/eviction', 'services', 'nodes/status']));
    // The stored version's hash, as Kubernetes publishes it (the ConfigMap's is the same on every cluster).
    expect(core.resources.find((r: any) => r.name === 'configmaps')).toEqual({
      name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['cm'], storageVersionHash: 'qFsyl6wFWjQ=',
    });
    // Every version of a resource names the one it is stored in; subresources have none.
    const hpaV2 = (await call('GET', '/apis/autoscaling/v2')).json;
    expect(hpa.resources[0].storageVersionHash).toBe(hpaV2.resources[0].storageVersionHash);
    expect(hpa.resources[1].storageVersionHash).toBeUndefined();
    const events = (await call('GET', '/apis/events.k8s.io/v1')).json;
    expect(events.resources[0].storageVersionHash).toBe(core.resources.find((r: any) => r.name === 'events').storageVersionHash);
  });

  it('answers aggregated discovery only to clients that ask for it', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const res = await call('GET', '/apis', undefined, undefined, { Accept: accept });
    expect(res.headers.get('content-type')).toContain('as=APIGroupDiscoveryList');
    const apps = res.json.items.find((g: any) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
    expect(deployments).toMatchObject({ scope: 'Namespaced', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
    expect(deployments.subresources.map((s: any) => s.subresource)).toEqual(['scale', 'status']);
  });

  it('reports version and etcd health', async () => {
    expect((await call('GET', '/version')).json.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    const etcd = await call('GET', '/healthz/etcd');
    expect(etcd.status).toBe(200);
    expect(etcd.text).toBe('ok');
    const readyz = (await call('GET', '/readyz?verbose')).text;
    for (const check of ['etcd', 'etcd-readiness', 'informer-sync', 'shutdown']) expect(readyz).toContain(`[+]${check} ok`);
  });

  it('answers hostile health-check names and parameters without reaching into objects', async () => {
    // Names that are properties of every object are no checks.
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'etcd%2Fx', 'etcd%00']) {
      expect((await call('GET', `/readyz/${name}`)).status, name).toBe(404);
    }
    // A name that is a check elsewhere but not of this endpoint.
    expect((await call('GET', '/livez/etcd')).status).toBe(404);
    // exclude: repeated, bracketed, unknown, prototype names and a huge value all leave the rest checked.
    const odd = await call('GET', `/readyz?verbose&exclude=__proto__&exclude[]=constructor&exclude=shutdown&exclude=${'x'.repeat(4000)}`);
    expect(odd.status).toBe(200);
    // Only a real check is excluded, and said to be, as Kubernetes writes it.
    expect(odd.text).not.toContain('[+]shutdown ok');
    expect(odd.text).toContain('[+]shutdown excluded: ok\nreadyz check passed\n');
    expect(odd.text).not.toMatch(/__proto__|constructor|xxxx/);
    expect(odd.text).toContain('[+]informer-sync ok');
  });
});

describe('writes and concurrency', () => {
  it('creates with generateName, uid and timestamps, and rejects a duplicate with 409', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { generateName: 'gen-' }, data: { a: 'b' } });
    expect(created.status).toBe(201);
    expect(created.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(created.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    const dup = await call('POST', '/api/v1/namespaces/default/configmaps', cm(created.json.metadata.name));
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', details: { kind: 'configmaps' } });
  });

  it('answers a stale update with 409 Conflict and keeps the newer write', async () => {
    const first = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('stale', { v: '1' }))).json;
    const second = await call('PUT', '/api/v1/namespaces/default/configmaps/stale', { ...first, data: { v: '2' } });
    expect(second.status).toBe(200);
    expect(Number(second.json.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/stale', { ...first, data: { v: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
    expect(stale.json.message).toContain('the object has been modified');
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/stale')).json.data).toEqual({ v: '2' });
  });

  it('does not write a no-op update', async () => {
    const obj = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('noop'))).json;
    const again = await call('PUT', '/api/v1/namespaces/default/configmaps/noop', obj);
    expect(again.json.metadata.resourceVersion).toBe(obj.metadata.resourceVersion);
  });

  it("answers a create with the status' Go zero value: the counts Kubernetes always writes", async () => {
    const template = { metadata: { labels: { z: 'z' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const made = async (path: string, obj: object) => (await call('POST', path, { ...obj, status: { replicas: 7 } })).json.status;
    expect(await made('/apis/apps/v1/namespaces/default/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'zero' }, spec: { selector: { matchLabels: { z: 'z' } }, template } })).toEqual({ replicas: 0 });
    expect(await made('/apis/apps/v1/namespaces/default/daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'zero' }, spec: { selector: { matchLabels: { z: 'z' } }, template } })).toEqual({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
    expect(await made('/apis/policy/v1/namespaces/default/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'zero' }, spec: { minAvailable: 1 } })).toEqual({
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'zero' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, maxReplicas: 2 } };
    expect(await made('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', hpa)).toEqual({ currentMetrics: null, desiredReplicas: 0 });
  });

  it('bumps generation on spec changes only, and keeps status out of main-resource writes', async () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
      status: { replicas: 99 },
    };
    const created = (await call('POST', '/apis/apps/v1/namespaces/default/deployments', d)).json;
    expect(created.metadata.generation).toBe(1);
    // The status a client sent is dropped; Kubernetes answers with the zero status.
    expect(created.status).toEqual({});
    const labelled = (await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json')).json;
    expect(labelled.metadata.generation).toBe(1);
    const scaled = (await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', { spec: { replicas: 4 } }, 'application/merge-patch+json')).json;
    expect(scaled.metadata.generation).toBe(2);
    const status = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/gen/status', { ...scaled, spec: { ...scaled.spec, replicas: 10 }, status: { replicas: 4, observedGeneration: 2 } });
    expect(status.json.status).toEqual({ replicas: 4, observedGeneration: 2 });
    expect(status.json.spec.replicas).toBe(4);
    const scale = (await call('GET', '/apis/apps/v1/namespaces/default/deployments/gen/scale')).json;
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { replicas: 4, selector: 'a=b' } });
  });

  it('binds a pod once and deletes bound pods gracefully', async () => {
    const pod = { metadata: { name: 'bindme' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    const created = await call('POST', '/api/v1/namespaces/default/pods', pod);
    expect(created.status).toBe(201);
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'node-a' } };
    // Hostile annotations: refused, or kept as own keys; the pod stays unbound and unchanged.
    const odd = await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', { ...binding, metadata: { name: 'bindme', annotations: { nested: { no: 1 } } } });
    expect(odd.status).toBe(400);
    const proto = await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', { ...binding, metadata: { name: 'bindme', annotations: JSON.parse('{"__proto__":"x"}') } });
    expect(proto.status).toBe(422);
    expect((await call('GET', '/api/v1/namespaces/default/pods/bindme')).json.spec.nodeName).toBeUndefined();
    // A resourceVersion in the binding is a precondition, as a uid is.
    const stale = await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', { ...binding, metadata: { name: 'bindme', resourceVersion: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toContain('Precondition failed: ResourceVersion in precondition: 1');
    const withAnnotations = { ...binding, metadata: { name: 'bindme', resourceVersion: created.json.metadata.resourceVersion, annotations: { 'example.com/placed-by': 'test' } } };
    expect((await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', withAnnotations)).status).toBe(201);
    const bound = (await call('GET', '/api/v1/namespaces/default/pods/bindme')).json;
    expect(bound.spec.nodeName).toBe('node-a');
    expect(bound.metadata.annotations).toEqual({ 'example.com/placed-by': 'test' });
    // Bindings go past the field manager, as in Kubernetes: no manager owns spec.nodeName.
    expect(bound.metadata.managedFields).toEqual(created.json.metadata.managedFields);
    const again = await call('POST', '/api/v1/namespaces/default/pods/bindme/binding', { ...binding, target: { name: 'node-b' } });
    expect(again.status).toBe(409);
    const del = await call('DELETE', '/api/v1/namespaces/default/pods/bindme', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    // Pending, yet 200: Kubernetes answers 202 only to orphanDependents=false.
    expect(del.status).toBe(200);
    expect(del.json.metadata.deletionTimestamp).toBeTruthy();
    expect(del.json.metadata.deletionGracePeriodSeconds).toBe(30);
    // The kubelet finishes a graceful deletion with grace period 0 and a uid precondition.
    const done = await call('DELETE', '/api/v1/namespaces/default/pods/bindme', { gracePeriodSeconds: 0, preconditions: { uid: del.json.metadata.uid } });
    expect(done.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/pods/bindme')).status).toBe(404);
  });

  it('keeps objects with finalizers until the last one is removed', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/fin', { orphanDependents: false });
    expect(del.status).toBe(202);
    expect(del.json.metadata.deletionTimestamp).toBeTruthy();
    const cleared = await call('PATCH', '/api/v1/namespaces/default/configmaps/fin', [{ op: 'remove', path: '/metadata/finalizers' }], 'application/json-patch+json');
    expect(cleared.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/fin')).status).toBe(404);
  });
});

describe('writes that reshape the object', () => {
  it("folds a Secret's stringData into data and never stores it", async () => {
    const created = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'folded' }, data: { a: Buffer.from('old').toString('base64'), b: 'Yg==' }, stringData: { a: 'new' } });
    expect(created.status).toBe(201);
    const got = (await call('GET', '/api/v1/namespaces/default/secrets/folded')).json;
    expect(got.stringData).toBeUndefined();
    expect(got.data).toEqual({ a: Buffer.from('new').toString('base64'), b: 'Yg==' });
    expect(got.type).toBe('Opaque');
  });

  it('treats a uid in an update body as a precondition', async () => {
    const made = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('uidcheck'))).json;
    const stale = await call('PATCH', '/api/v1/namespaces/default/configmaps/uidcheck', { metadata: { uid: 'not-the-uid' }, data: { k: 'changed' } }, 'application/merge-patch+json');
    expect(stale.status).toBe(409);
    expect(stale.json.message).toContain('Precondition failed: UID in precondition: not-the-uid');
    const right = await call('PATCH', '/api/v1/namespaces/default/configmaps/uidcheck', { metadata: { uid: made.metadata.uid }, data: { k: 'changed' } }, 'application/merge-patch+json');
    expect(right.status).toBe(200);
  });
});

describe('pods/ephemeralcontainers (kubectl debug)', () => {
  it('adds ephemeral containers with defaults and nothing else, and refuses removals, changes, other fields and the main resource', async () => {
    const base = '/api/v1/namespaces/default/pods/debugged';
    await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debugged', labels: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } });
    const debugger1 = { name: 'debugger-1', image: 'busybox:1.36', targetContainerName: 'app', stdin: true, tty: true };
    // As kubectl debug sends it: a strategic merge patch of the pod, with a label change the subresource ignores.
    const added = await call('PATCH', `${base}/ephemeralcontainers?fieldManager=kubectl-debug`, { metadata: { labels: { a: 'changed' } }, spec: { ephemeralContainers: [debugger1] } }, 'application/strategic-merge-patch+json');
    expect(added.status).toBe(200);
    expect(added.json.metadata.labels).toEqual({ a: 'b' });
    expect(added.json.spec.ephemeralContainers).toEqual([{ ...debugger1, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }]);
    const entry = added.json.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl-debug');
    expect(entry).toMatchObject({ operation: 'Update', subresource: 'ephemeralcontainers' });
    expect(Object.keys(entry.fieldsV1['f:spec'])).toEqual(['f:ephemeralContainers']);
    expect((await call('GET', `${base}/ephemeralcontainers`)).json.spec.ephemeralContainers).toHaveLength(1);

    const invalid = async (ephemeralContainers: unknown[]) => {
      const pod = (await call('GET', base)).json;
      const res = await call('PUT', `${base}/ephemeralcontainers`, { ...pod, spec: { ...pod.spec, ephemeralContainers } });
      expect(res.status).toBe(422);
      return res.json.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`);
    };
    const stored = (await call('GET', base)).json.spec.ephemeralContainers[0];
    expect(await invalid([])).toEqual(['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-1" may not be removed']);
    expect(await invalid([{ ...stored, image: 'busybox:latest' }])).toEqual(['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-1" may not be changed']);
    expect(await invalid([stored, { name: 'app', image: 'busybox:1.36', ports: [{ containerPort: 80 }], targetContainerName: 'nope' }])).toEqual([
      'spec.ephemeralContainers[1].name: Duplicate value: "app"',
      'spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[1].targetContainerName: Not found: "nope"',
    ]);
    // The pod itself may not change its ephemeral containers.
    const pod = (await call('GET', base)).json;
    const direct = await call('PUT', base, { ...pod, spec: { ...pod.spec, ephemeralContainers: [stored, { name: 'sneaky', image: 'busybox:1.36' }] } });
    expect(direct.status).toBe(422);
    expect((await call('GET', base)).json.spec.ephemeralContainers.map((c: { name: string }) => c.name)).toEqual(['debugger-1']);
    // Configmaps have no such subresource.
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/x/ephemeralcontainers')).status).toBe(404);
  });
});

describe('services', () => {
  const svc = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } });
  const path = '/api/v1/namespaces/default/services';

  it('keeps the kubernetes Service at the first address of the range, and puts it back when deleted', async () => {
    const k = (await call('GET', `${path}/kubernetes`)).json;
    expect(k.spec.clusterIP).toBe('10.96.0.1');
    expect(k.spec.ports[0]).toMatchObject({ name: 'https', port: 443 });
    expect((await call('DELETE', `${path}/kubernetes`)).status).toBe(200);
    // Kubernetes' apiserver checks every 10 s.
    await waitFor('the kubernetes Service back', async () => (await call('GET', `${path}/kubernetes`)).status === 200, 25_000);
    expect((await call('GET', `${path}/kubernetes`)).json.spec.clusterIP).toBe('10.96.0.1');
  });

  it('allocates cluster IPs and node ports, honours requested ones, and refuses taken or out-of-range values', async () => {
    const a = (await call('POST', path, svc('alloc-a'))).json;
    expect(a.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(a.spec.clusterIPs).toEqual([a.spec.clusterIP]);
    expect(a.spec.ipFamilies).toEqual(['IPv4']);
    const taken = await call('POST', path, svc('alloc-b', { clusterIP: a.spec.clusterIP }));
    expect(taken.status).toBe(422);
    expect(taken.json.message).toContain('provided IP is already allocated');
    const outside = await call('POST', path, svc('alloc-c', { clusterIP: '192.168.0.1' }));
    expect(outside.status).toBe(422);
    expect(outside.json.message).toContain('The range of valid IPs is 10.96.0.0/12');
    const fixed = await call('POST', path, svc('alloc-d', { clusterIP: '10.96.0.50' }));
    expect(fixed.json.spec.clusterIP).toBe('10.96.0.50');
    const headless = (await call('POST', path, svc('alloc-h', { clusterIP: 'None' }))).json;
    expect(headless.spec.clusterIPs).toEqual(['None']);

    const np = (await call('POST', path, svc('alloc-np', { type: 'NodePort' }))).json;
    const port = np.spec.ports[0].nodePort;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    const dup = await call('POST', path, svc('alloc-np2', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));
    expect(dup.status).toBe(422);
    expect(dup.json.message).toContain('provided port is already allocated');
    expect((await call('POST', path, svc('alloc-np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }))).status).toBe(422);

    // Released on delete: the same values can be had again.
    expect((await call('DELETE', `${path}/alloc-d`)).status).toBe(200);
    expect((await call('POST', path, svc('alloc-e', { clusterIP: '10.96.0.50' }))).status).toBe(201);
    // A type change back to ClusterIP frees the node port.
    const back = await call('PATCH', `${path}/alloc-np`, { spec: { type: 'ClusterIP' } }, 'application/merge-patch+json');
    expect(back.status).toBe(200);
    expect(back.json.spec.ports[0].nodePort).toBeUndefined();
    expect((await call('POST', path, svc('alloc-np4', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }))).status).toBe(201);
  });

  it('keeps allocated values a PUT leaves out and refuses a changed cluster IP', async () => {
    const created = (await call('POST', path, svc('keep', { type: 'NodePort' }))).json;
    const { clusterIP, clusterIPs: _ips, ...spec } = created.spec;
    const ports = spec.ports.map(({ nodePort: _n, ...p }: Record<string, unknown>) => p);
    const put = await call('PUT', `${path}/keep`, { ...created, spec: { ...spec, ports } });
    expect(put.status).toBe(200);
    expect(put.json.spec.clusterIP).toBe(clusterIP);
    expect(put.json.spec.ports[0].nodePort).toBe(created.spec.ports[0].nodePort);
    const moved = await call('PATCH', `${path}/keep`, { spec: { clusterIP: '10.96.0.77', clusterIPs: ['10.96.0.77'] } }, 'application/merge-patch+json');
    expect(moved.status).toBe(422);
  });

  it('gives a load balancer with externalTrafficPolicy Local a health check node port, keeps it fixed and frees it', async () => {
    const lb = (await call('POST', path, svc('hc', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }))).json;
    const check = lb.spec.healthCheckNodePort;
    expect(check).toBeGreaterThanOrEqual(30000);
    expect(check).toBeLessThanOrEqual(32767);
    expect(check).not.toBe(lb.spec.ports[0].nodePort);
    expect(lb.spec.internalTrafficPolicy).toBe('Cluster');
    // Taken: no other Service may have it, as a node port or as a health check port.
    const taken = await call('POST', path, svc('hc-dup', { type: 'NodePort', ports: [{ port: 80, nodePort: check }] }));
    expect(taken.status).toBe(422);
    expect(taken.json.message).toContain('provided port is already allocated');
    // A PUT that leaves it out keeps it; one that changes it is refused.
    const { healthCheckNodePort: _h, ...spec } = lb.spec;
    const put = await call('PUT', `${path}/hc`, { ...lb, spec });
    expect(put.status).toBe(200);
    expect(put.json.spec.healthCheckNodePort).toBe(check);
    const moved = await call('PATCH', `${path}/hc`, { spec: { healthCheckNodePort: check + 1 } }, 'application/merge-patch+json');
    expect(moved.status).toBe(422);
    expect(moved.json.message).toContain('spec.healthCheckNodePort: Forbidden: field is immutable');
    // Back to Cluster: the port is dropped and free again.
    const cluster = await call('PATCH', `${path}/hc`, { spec: { externalTrafficPolicy: 'Cluster' } }, 'application/merge-patch+json');
    expect(cluster.status).toBe(200);
    expect(cluster.json.spec.healthCheckNodePort).toBeUndefined();
    expect((await call('POST', path, svc('hc-reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: check }] }))).status).toBe(201);
    // A requested one is honoured; it is freed with the Service.
    const asked = (await call('POST', path, svc('hc-asked', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31999 }))).json;
    expect(asked.spec.healthCheckNodePort).toBe(31999);
    expect((await call('DELETE', `${path}/hc-asked`)).status).toBe(200);
    expect((await call('POST', path, svc('hc-after', { type: 'NodePort', ports: [{ port: 80, nodePort: 31999 }] }))).status).toBe(201);
    // No node ports for a load balancer that asks for none.
    const bare = (await call('POST', path, svc('lb-bare', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }))).json;
    expect(bare.spec.ports[0].nodePort).toBeUndefined();
  });

  it('refuses traffic policies and health check ports where Kubernetes refuses them', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ externalTrafficPolicy: 'Local' }, 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
      [{ type: 'NodePort', externalTrafficPolicy: 'Nearby' }, 'spec.externalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"'],
      [{ internalTrafficPolicy: 'Nearby' }, 'spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"'],
      [{ type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }, "spec.healthCheckNodePort: Invalid value: 31000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
      [{ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 80 }, 'spec.healthCheckNodePort: Invalid value: 80: provided port is not in the valid range'],
    ];
    for (const [spec, message] of cases) {
      const res = await call('POST', path, svc('bad-policy', spec));
      expect(res.status, JSON.stringify(spec)).toBe(422);
      expect(res.json.message).toContain(message);
    }
    // External IPs make a ClusterIP Service externally accessible: it takes the policy (defaulted).
    const external = (await call('POST', path, svc('ext-ips', { externalIPs: ['192.0.2.10'] }))).json;
    expect(external.spec.externalTrafficPolicy).toBe('Cluster');
    // A NodePort Service turned ClusterIP drops the policy it no longer takes.
    const np = (await call('POST', path, svc('np-policy', { type: 'NodePort', externalTrafficPolicy: 'Local' }))).json;
    expect(np.spec.healthCheckNodePort).toBeUndefined();
    const put = await call('PUT', `${path}/np-policy`, { ...np, spec: { ...np.spec, type: 'ClusterIP', ports: [{ port: 80 }] } });
    expect(put.status).toBe(200);
    expect(put.json.spec.externalTrafficPolicy).toBeUndefined();
  });
});

describe('errors', () => {
  it('rejects invalid names and labels with 422 and field causes', async () => {
    const res = await call('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name', {}, { 'bad key!': 'v' }));
    expect(res.status).toBe(422);
    expect(res.json.reason).toBe('Invalid');
    expect(res.json.details.causes.map((c: any) => c.field)).toEqual(['metadata.name', 'metadata.labels']);
    expect(res.json.message).toMatch(/^ConfigMap "Bad_Name" is invalid: \[metadata.name: Invalid value/);
  });

  it('answers a patch whose result does not decode with 422 on the field "patch", as Kubernetes words it', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('patch-types'));
    const path = '/api/v1/namespaces/default/configmaps/patch-types';
    // Strategic merge patches are converted from a map: the converter's words, the patch shown.
    const smp = await call('PATCH', path, { metadata: { labels: 'invalid' } }, 'application/strategic-merge-patch+json');
    expect(smp.status).toBe(422);
    expect(smp.json.reason).toBe('Invalid');
    expect(smp.json.message).toBe(' "" is invalid: patch: Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string');
    expect(smp.json.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'patch', message: 'Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string' }]);
    // JSON and merge patches are decoded from JSON: the decoder's words, the patched object shown.
    const merge = await call('PATCH', path, { data: { a: 1 } }, 'application/merge-patch+json');
    expect(merge.status).toBe(422);
    expect(merge.json.message).toMatch(/^ "" is invalid: patch: Invalid value: "\{.*\\"a\\":1\}\}": json: cannot unmarshal number into Go struct field ConfigMap.data of type string$/);
    // Unknown fields under Strict are a bare strict decoding error.
    const strict = await call('PATCH', `${path}?fieldValidation=Strict`, { spec: 1 }, 'application/merge-patch+json');
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('strict decoding error: unknown field "spec"');
    // None of the refused patches changed anything.
    expect((await call('GET', path)).json.data).toEqual({ k: 'v' });
  });

  it('reads a resourceVersion of "0" on an update as none: the write is unconditional', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', cm('rv-zero'));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/rv-zero', { data: { moved: 'on' } }, 'application/merge-patch+json');
    const put = await call('PUT', '/api/v1/namespaces/default/configmaps/rv-zero', { ...created.json, metadata: { ...created.json.metadata, resourceVersion: '0' }, data: { a: 'b' } });
    expect(put.status).toBe(200);
    expect(put.json.data).toEqual({ a: 'b' });
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/rv-zero', { ...created.json, data: { c: 'd' } });
    expect(stale.status).toBe(409);
  });

  it('rejects unknown fields under Strict with 400, warns under Warn, and never stores them', async () => {
    const body = { ...cm('strict'), spec: { foo: 1 } };
    const strict = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', body);
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"');
    const warn = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', body);
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"spec\\""');
    expect(warn.json.spec).toBeUndefined();
  });

  it('rejects a 4 MiB body with 413, malformed JSON and YAML with 400, a missing namespace with 404', async () => {
    const big = await call('POST', '/api/v1/namespaces/default/configmaps', cm('big', { k: 'x'.repeat(4 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.json.kind).toBe('Status');
    const badJson = await call('POST', '/api/v1/namespaces/default/configmaps', '{"metadata": {');
    expect(badJson.status).toBe(400);
    expect(badJson.json.reason).toBe('BadRequest');
    const badYaml = await call('POST', '/api/v1/namespaces/default/configmaps', 'metadata: [name: x', 'application/yaml');
    expect(badYaml.status).toBe(400);
    const noNs = await call('POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    expect(noNs.status).toBe(404);
    expect(noNs.json.message).toBe('namespaces "nope" not found');
    // NamespaceLifecycle runs before the other admission plugins: a pod hears of its namespace, not of its service account.
    const podNoNs = await call('POST', '/api/v1/namespaces/nope/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    expect(podNoNs.status).toBe(404);
    expect(podNoNs.json.message).toBe('namespaces "nope" not found');
    const wrongType = await call('POST', '/apis/apps/v1/namespaces/default/deployments', { metadata: { name: 'x' }, spec: { replicas: 'three' } });
    expect(wrongType.status).toBe(400);
    // The server still serves after all of it.
    expect((await call('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
  });

  it('refuses new content in a terminating namespace with 403', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'closing' } });
    const del = await call('DELETE', '/api/v1/namespaces/closing');
    expect(del.json.status.phase).toBe('Terminating');
    const res = await call('POST', '/api/v1/namespaces/closing/configmaps', cm('late'));
    expect(res.status).toBe(403);
    expect(res.json.message).toContain('because it is being terminated');
    const pod = await call('POST', '/api/v1/namespaces/closing/pods', { metadata: { name: 'late' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    expect(pod.status).toBe(403);
    expect(pod.json.message).toBe('pods "late" is forbidden: unable to create new content in namespace closing because it is being terminated');
    // The cause controllers look for to stop retrying (client-go's HasStatusCause).
    expect(pod.json.details.causes).toEqual([{ reason: 'NamespaceTerminating', message: 'namespace closing is being terminated', field: 'metadata.namespace' }]);
  });

  it('answers unknown paths and unsupported verbs with Status', async () => {
    const missing = await call('GET', '/apis/nothing.example.com/v1/things');
    expect(missing.status).toBe(404);
    expect(missing.json.kind).toBe('Status');
    const notAllowed = await call('DELETE', '/api/v1/namespaces');
    expect(notAllowed.status).toBe(405);
    // A subresource the kind lacks is an unknown path too, whether or not the object exists
    // (kubectl get pod p --subresource=scale: "the server could not find the requested resource").
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('has-no-scale'));
    for (const name of ['has-no-scale', 'absent']) {
      const sub = await call('GET', `/api/v1/namespaces/default/configmaps/${name}/scale`);
      expect(sub.status).toBe(404);
      expect(sub.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' });
    }
  });
});

describe('lists and watches', () => {
  it('paginates with limit and continue from one snapshot', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'paged' } });
    for (let i = 0; i < 7; i++) await call('POST', '/api/v1/namespaces/paged/configmaps', cm(`c${i}`, { i: String(i) }, { page: i % 2 ? 'odd' : 'even' }));
    const first = (await call('GET', '/api/v1/namespaces/paged/configmaps?limit=3')).json;
    expect(first.items.map((i: any) => i.metadata.name)).toEqual(['c0', 'c1', 'c2']);
    expect(first.metadata.remainingItemCount).toBe(4);
    // A write between pages does not show up in later pages of the same list.
    await call('POST', '/api/v1/namespaces/paged/configmaps', cm('c9'));
    const second = (await call('GET', `/api/v1/namespaces/paged/configmaps?limit=3&continue=${encodeURIComponent(first.metadata.continue)}`)).json;
    const third = (await call('GET', `/api/v1/namespaces/paged/configmaps?limit=3&continue=${encodeURIComponent(second.metadata.continue)}`)).json;
    expect([...second.items, ...third.items].map((i: any) => i.metadata.name)).toEqual(['c3', 'c4', 'c5', 'c6']);
    expect(third.metadata.continue).toBeUndefined();
    const odd = (await call('GET', '/api/v1/namespaces/paged/configmaps?labelSelector=page%3Dodd&limit=2')).json;
    expect(odd.items.map((i: any) => i.metadata.name)).toEqual(['c1', 'c3']);
  });

  it('returns Tables with Kubernetes columns and resourceVersion', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const t = (await call('GET', '/api/v1/namespaces/paged/configmaps?limit=500', undefined, undefined, { Accept: accept })).json;
    expect(t.kind).toBe('Table');
    expect(t.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(t.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'c0' } });
  });

  it('streams a watch: synthetic ADDED from 0, changes, selector exits as DELETED, bookmarks', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'watched' } });
    await call('POST', '/api/v1/namespaces/watched/configmaps', cm('w1', { a: '1' }, { w: 'yes' }));
    const controller = new AbortController();
    const res = await fetch(`${api.url}/api/v1/namespaces/watched/configmaps?watch=True&resourceVersion=0&labelSelector=w%3Dyes&allowWatchBookmarks=true`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('application/json');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const next = async (): Promise<any> => {
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const ev = JSON.parse(line);
          if (ev.type !== 'BOOKMARK') return ev;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('watch ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    expect(await next()).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'w1' } } });
    await call('PATCH', '/api/v1/namespaces/watched/configmaps/w1', { data: { a: '2' } }, 'application/merge-patch+json');
    expect(await next()).toMatchObject({ type: 'MODIFIED', object: { data: { a: '2' } } });
    await call('PATCH', '/api/v1/namespaces/watched/configmaps/w1', { metadata: { labels: { w: 'no' } } }, 'application/merge-patch+json');
    expect(await next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'w1' } } });
    await call('POST', '/api/v1/namespaces/watched/configmaps', cm('w2', {}, { w: 'yes' }));
    const added = await next();
    expect(added).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w2' } } });
    await call('DELETE', '/api/v1/namespaces/watched/configmaps/w2');
    expect(await next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'w2' } } });
    controller.abort();
  });
});
