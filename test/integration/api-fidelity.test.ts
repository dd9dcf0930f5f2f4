// Details of Kubernetes' API that real clients depend on (issue 14's rough edges), against
// real etcd and the apiserver process: body bytes, defaults clients dereference, admission
// on update and delete, dry runs carried in DeleteOptions.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeKubernetesProtobuf, readWatchFrames } from '../../api/protobuf/envelope.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { restCaller } from '../harness/rest.js';

let api: ApiServerHandle;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
});
afterAll(async () => {
  await api?.stop();
});

const call = restCaller(() => api.url);

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...extra },
});

describe('response bytes', () => {
  it('writes Statuses in Kubernetes field order, and every JSON body ends with a newline', async () => {
    const missing = await call('GET', '/api/v1/namespaces/default/configmaps/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n',
    );
    for (const path of ['/api/v1/namespaces/default/configmaps', '/api/v1', '/apis', '/api/v1/namespaces/default']) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.text.endsWith('}\n'), path).toBe(true);
    }
  });

  it('pretty-prints for curl, Wget and browsers and for ?pretty=true, as Go\'s MarshalIndent writes; /version always', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'pretty' }, data: { a: 'b' } });
    const get = (path: string, agent: string) => fetch(`${api.url}${path}`, { headers: { 'User-Agent': agent } }).then((r) => r.text());
    const asCurl = await get('/api/v1/namespaces/default/configmaps/pretty', 'curl/7.88.1');
    expect(asCurl).toMatch(/^\{\n {2}"(kind|apiVersion)": "(ConfigMap|v1)",\n {2}"(kind|apiVersion)": "(ConfigMap|v1)",\n {2}"metadata": \{\n {4}"name": "pretty",\n/);
    expect(asCurl.endsWith('\n  }\n}')).toBe(true);
    expect(JSON.parse(asCurl)).toEqual(JSON.parse(await get('/api/v1/namespaces/default/configmaps/pretty', 'kubectl/v1.32.4')));
    // Lists (streamed otherwise) and Statuses too; a client's say wins over its agent.
    expect(await get('/api/v1/namespaces/default/configmaps?limit=1', 'Wget/1.21.3')).toMatch(/^\{\n {2}"kind": "ConfigMapList",/);
    expect(await get('/api/v1/namespaces/default/configmaps/nope', 'Mozilla/5.0 (X11; Linux x86_64)')).toMatch(/^\{\n {2}"kind": "Status",\n/);
    expect(await get('/api/v1/namespaces/default/configmaps/pretty?pretty=true', 'kubectl/v1.32.4')).toMatch(/^\{\n {2}"/);
    expect(await get('/api/v1/namespaces/default/configmaps/pretty?pretty=0', 'curl/7.88.1')).toMatch(/^\{"[^\n]*\}\n$/);
    expect(await get('/version', 'kubectl/v1.32.4')).toMatch(/^\{\n {2}"major": "1",\n {2}"minor": "32",\n[\s\S]*\n\}$/);
  });

  it('writes objects kind and apiVersion first, as Go does, and YAML as Go\'s writer does (keys in order, dashes under their key)', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'go-order' }, data: { a: '1' } });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/go-order')).text).toMatch(/^\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"go-order",/);
    const yaml = await fetch(`${api.url}/api/v1/namespaces/default/configmaps/go-order`, { headers: { Accept: 'application/yaml' } }).then((r) => r.text());
    expect(yaml).toMatch(/^apiVersion: v1\ndata:\n {2}a: "1"\nkind: ConfigMap\nmetadata:\n {2}creationTimestamp: "[^"]+"\n {2}managedFields:\n {2}- apiVersion: v1\n/);
    // An error's Status is negotiated as the object would have been: YAML for a YAML client.
    const missing = await fetch(`${api.url}/api/v1/namespaces/default/configmaps/nope`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml' } });
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'application/yaml']);
    expect(await missing.text()).toBe('apiVersion: v1\ncode: 404\ndetails:\n  kind: configmaps\n  name: nope\nkind: Status\nmessage: configmaps "nope" not found\nmetadata: {}\nreason: NotFound\nstatus: Failure\n');
  });

  it('answers protobuf to clients that prefer it (objects, lists, Statuses, watches), JSON for kinds without it, 406 for what it cannot write', async () => {
    const PB = 'application/vnd.kubernetes.protobuf';
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pb', labels: { a: 'b' } }, data: { k: 'v' } });
    expect(created.status).toBe(201);
    // kubectl's typed clients send exactly this Accept header.
    const one = await fetch(`${api.url}/api/v1/namespaces/default/configmaps/pb`, { headers: { Accept: `${PB},application/json` } });
    expect(one.headers.get('content-type')).toBe(PB);
    const decoded = decodeKubernetesProtobuf(Buffer.from(await one.arrayBuffer()));
    expect(decoded).toEqual((await call('GET', '/api/v1/namespaces/default/configmaps/pb')).json);

    const list = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?labelSelector=a%3Db`, { headers: { Accept: PB } });
    const items = decodeKubernetesProtobuf(Buffer.from(await list.arrayBuffer()));
    expect(items.kind).toBe('ConfigMapList');
    expect(items.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['pb']);

    const missing = await fetch(`${api.url}/api/v1/namespaces/default/configmaps/nope`, { headers: { Accept: PB } });
    expect(missing.status).toBe(404);
    expect(decodeKubernetesProtobuf(Buffer.from(await missing.arrayBuffer()))).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404, message: 'configmaps "nope" not found' });

    const watch = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=1&labelSelector=a%3Db&resourceVersion=0&timeoutSeconds=1`, { headers: { Accept: PB } });
    expect(watch.headers.get('content-type')).toBe(`${PB};stream=watch`);
    const events = readWatchFrames(Buffer.from(await watch.arrayBuffer()));
    expect(events.map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([['ADDED', 'ConfigMap', 'pb']]);

    // Tables are JSON only; a client taking only protobuf or only HTML gets 406.
    const table = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { headers: { Accept: `${PB};as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io` } });
    expect(((await table.json()) as { kind: string }).kind).toBe('Table');
    const html = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { headers: { Accept: 'text/html' } });
    expect(html.status).toBe(406);
    expect(((await html.json()) as { reason: string }).reason).toBe('NotAcceptable');
  });

  it('reports an undecodable body as Kubernetes decoder does', async () => {
    const res = await call('POST', '/api/v1/namespaces', '{"apiVersion":"v1","kind":');
    expect(res.status).toBe(400);
    expect(res.json.message).toBe("the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: unexpected end of JSON input");
    const garbage = await call('POST', '/api/v1/namespaces/default/configmaps', 'xyz');
    expect(garbage.json.message).toContain("(must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of value");
  });
});

describe('defaults clients dereference', () => {
  it('gives every Service a status with loadBalancer', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fid-svc' }, spec: { ports: [{ port: 80 }] } });
    expect(created.status).toBe(201);
    expect(created.json.status).toEqual({ loadBalancer: {} });
    // The allocated address sits where Go's ServiceSpec has it, not after the defaults.
    expect(Object.keys(created.json.spec).slice(0, 4)).toEqual(['ports', 'clusterIP', 'clusterIPs', 'type']);
    expect((await call('GET', '/api/v1/namespaces/default/services/fid-svc')).json.status).toEqual({ loadBalancer: {} });
    // A status write without loadBalancer still reads back with it.
    const current = (await call('GET', '/api/v1/namespaces/default/services/fid-svc')).json;
    const written = await call('PUT', '/api/v1/namespaces/default/services/fid-svc/status', { ...current, status: { conditions: [] } });
    expect(written.status).toBe(200);
    expect(written.json.status.loadBalancer).toEqual({});
  });

  it('names every EndpointSlice port, "" when the Service port has no name', async () => {
    const res = await call('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'fid-slice' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }],
      ports: [{ port: 80 }],
    });
    expect(res.status).toBe(201);
    expect(res.json.ports).toEqual([{ name: '', protocol: 'TCP', port: 80 }]);
  });

  it('defaults a volume with no source to an emptyDir', async () => {
    const res = await call('POST', '/api/v1/namespaces/default/pods', pod('fid-vol', { volumes: [{ name: 'scratch' }] }));
    expect(res.status).toBe(201);
    expect(res.json.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
  });
});

describe('objects stored as Kubernetes\' Go types write them', () => {
  const manifest = (name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: {} },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          hostNetwork: false,
          containers: [{ image: 'busybox:1.36', name: 'c', env: [], ports: [{ containerPort: 80, hostPort: 0 }], resources: { requests: { cpu: '0.5', memory: '1024Mi' }, limits: { cpu: 1.5 } } }],
        },
      },
    },
  });

  it('leaves out omitempty zeros, writes what Go always writes, in Go\'s field order, quantities canonical', async () => {
    const created = await call('POST', '/apis/apps/v1/namespaces/default/deployments', manifest('fid-go'));
    expect(created.status).toBe(201);
    const d = created.json;
    expect(d.metadata).not.toHaveProperty('labels');
    expect(d.spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 'fid-go' } });
    expect(d.spec.template.spec).not.toHaveProperty('hostNetwork');
    const [c] = d.spec.template.spec.containers;
    expect(c).not.toHaveProperty('env');
    expect(c.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(c.resources).toEqual({ limits: { cpu: '1500m' }, requests: { cpu: '500m', memory: '1Gi' } });
    // Container fields in the order of Go's struct: name, image, command..., whatever order was sent.
    expect(Object.keys(c).slice(0, 2)).toEqual(['name', 'image']);
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/fid-go')).json).toEqual(d);
    // ObjectMeta's order too: resourceVersion right after the uid, in the answer to the write,
    // in a read, and in a list read from the watch cache.
    const metaKeys = /"metadata":\{"name":"fid-go","namespace":"default","uid":"[0-9a-f-]+","resourceVersion":"\d+","generation":1,"creationTimestamp":"[^"]+",/;
    expect(created.text).toMatch(metaKeys);
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/fid-go')).text).toMatch(metaKeys);
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments?resourceVersion=0')).text).toMatch(metaKeys);
  });

  it('takes a write that differs only in such zeros as no change: same resourceVersion and generation', async () => {
    const created = (await call('POST', '/apis/apps/v1/namespaces/default/deployments', manifest('fid-noop'))).json;
    const again = manifest('fid-noop');
    const put = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/fid-noop', { ...again, metadata: { ...again.metadata, resourceVersion: created.metadata.resourceVersion } });
    expect(put.status).toBe(200);
    expect([put.json.metadata.resourceVersion, put.json.metadata.generation]).toEqual([created.metadata.resourceVersion, 1]);
  });

  it('compares an immutable template as Go values: a copy without creationTimestamp: null may update the Job', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'fid-job' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    };
    const created = (await call('POST', '/apis/batch/v1/namespaces/default/jobs', job)).json;
    expect(created.spec.template.metadata.creationTimestamp).toBeNull();
    const { creationTimestamp: _, ...templateMeta } = created.spec.template.metadata;
    const body = { ...created, metadata: { ...created.metadata, finalizers: ['example.com/hold'] }, spec: { ...created.spec, template: { ...created.spec.template, metadata: templateMeta } } };
    const put = await call('PUT', '/apis/batch/v1/namespaces/default/jobs/fid-job', body);
    expect(put.status, put.text).toBe(200);
    expect(put.json.metadata.finalizers).toEqual(['example.com/hold']);
    expect(put.json.spec.template.metadata.creationTimestamp).toBeNull();
  });
});

describe('metadata.generation', () => {
  it('exists only on kinds Kubernetes gives one (so kubectl diff shows no phantom change)', async () => {
    const cm = await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'fid-gen', generation: 7 }, data: { a: '1' } });
    expect(cm.json.metadata.generation).toBeUndefined();
    const changed = await call('PATCH', '/api/v1/namespaces/default/configmaps/fid-gen', { data: { a: '2' } }, 'application/merge-patch+json');
    expect(changed.json.metadata.generation).toBeUndefined();
    expect((await call('POST', '/api/v1/namespaces/default/pods', pod('fid-gen'))).json.metadata.generation).toBeUndefined();
    const np = await call('POST', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', { metadata: { name: 'fid-gen' }, spec: { podSelector: {} } });
    expect(np.json.metadata.generation).toBe(1);
  });
});

describe('admission on update and delete', () => {
  it('lets a pod be replaced from the manifest it was created from (default tolerations on update too)', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/pods', pod('fid-replace'));
    expect(created.json.spec.tolerations.map((t: any) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
    const replaced = await call('PUT', '/api/v1/namespaces/default/pods/fid-replace', pod('fid-replace'));
    expect(replaced.status).toBe(200);
    expect(replaced.json.spec.tolerations).toEqual(created.json.spec.tolerations);
    // What the Priority plugin set at creation stays, though the manifest leaves it out.
    expect([created.json.spec.priority, created.json.spec.preemptionPolicy]).toEqual([0, 'PreemptLowerPriority']);
    expect([replaced.json.spec.priority, replaced.json.spec.preemptionPolicy]).toEqual([0, 'PreemptLowerPriority']);
  });

  it('refuses to delete default, kube-system and kube-public', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const res = await call('DELETE', `/api/v1/namespaces/${name}`);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ reason: 'Forbidden', message: `namespaces "${name}" is forbidden: this namespace may not be deleted` });
      expect((await call('GET', `/api/v1/namespaces/${name}`)).json.status.phase).toBe('Active');
    }
  });

  it('honours a dry run given in the DeleteOptions body, as kubectl sends it', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'fid-dry' }, data: { a: 'b' } });
    const res = await call('DELETE', '/api/v1/namespaces/default/configmaps/fid-dry', { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
    expect(res.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/fid-dry')).status).toBe(200);
    const bad = await call('DELETE', '/api/v1/namespaces/default/configmaps/fid-dry', { dryRun: ['Some'] });
    expect(bad.status).toBe(422);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/fid-dry')).status).toBe(200);

    await call('POST', '/api/v1/namespaces/default/pods', pod('fid-evict'));
    const evicted = await call('POST', '/api/v1/namespaces/default/pods/fid-evict/eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'fid-evict' },
      deleteOptions: { dryRun: ['All'] },
    });
    expect(evicted.status).toBe(201);
    const kept = await call('GET', '/api/v1/namespaces/default/pods/fid-evict');
    expect(kept.status).toBe(200);
    expect(kept.json.status.conditions ?? []).not.toContainEqual(expect.objectContaining({ type: 'DisruptionTarget' }));
  });

  it('marks an evicted pod with DisruptionTarget before its graceful deletion, honouring the preconditions', async () => {
    const made = await call('POST', '/api/v1/namespaces/default/pods', pod('fid-evict-bound', { nodeName: 'fid-node' }));
    const eviction = (deleteOptions: object) => call('POST', '/api/v1/namespaces/default/pods/fid-evict-bound/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'fid-evict-bound' }, deleteOptions });
    const stale = await eviction({ preconditions: { resourceVersion: '1' } });
    expect([stale.status, stale.json.reason]).toEqual([409, 'Conflict']);
    expect((await call('GET', '/api/v1/namespaces/default/pods/fid-evict-bound')).json.status.conditions ?? []).not.toContainEqual(expect.objectContaining({ type: 'DisruptionTarget' }));
    expect((await eviction({ preconditions: { uid: made.json.metadata.uid, resourceVersion: made.json.metadata.resourceVersion } })).status).toBe(201);
    const going = (await call('GET', '/api/v1/namespaces/default/pods/fid-evict-bound')).json;
    expect(going.metadata.deletionTimestamp).toBeDefined();
    expect(going.status.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }));
  });

  it('merges pod status conditions by type in a strategic merge patch, their times null when unset', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', pod('fid-conditions'));
    const smp = 'application/strategic-merge-patch+json';
    const url = '/api/v1/namespaces/default/pods/fid-conditions/status';
    await call('PATCH', url, { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: '2026-11-23T10:00:00Z' }] } }, smp);
    await call('PATCH', url, { status: { conditions: [{ type: 'example.com/gate', status: 'True' }] } }, smp);
    // As the kubelet writes its own: the condition named again, a field it no longer has cleared.
    const res = await call('PATCH', url, { status: { conditions: [{ type: 'Ready', status: 'True', reason: null }] } }, smp);
    expect(res.status).toBe(200);
    expect(res.json.status.conditions).toEqual([
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-23T10:00:00Z', lastProbeTime: null },
      { type: 'example.com/gate', status: 'True', lastProbeTime: null, lastTransitionTime: null },
    ]);
  });
});

describe('priority classes', () => {
  const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });

  it('has the two system classes, and gives pods the priority and preemption policy of their class or of the default one', async () => {
    const system = await call('GET', '/apis/scheduling.k8s.io/v1/priorityclasses');
    expect(system.json.items.map((c: any) => [c.metadata.name, c.value, c.preemptionPolicy])).toEqual([
      ['system-cluster-critical', 2000000000, 'PreemptLowerPriority'],
      ['system-node-critical', 2000001000, 'PreemptLowerPriority'],
    ]);
    const critical = await call('POST', '/api/v1/namespaces/default/pods', pod('prio-critical', { priorityClassName: 'system-node-critical' }));
    expect([critical.status, critical.json.spec.priority]).toEqual([201, 2000001000]);
    const missing = await call('POST', '/api/v1/namespaces/default/pods', pod('prio-missing', { priorityClassName: 'nope' }));
    expect([missing.status, missing.json.message]).toEqual([403, 'pods "prio-missing" is forbidden: no PriorityClass with name nope was found']);
    const stated = await call('POST', '/api/v1/namespaces/default/pods', pod('prio-stated', { priorityClassName: 'system-node-critical', priority: 7 }));
    expect(stated.json.message).toBe('pods "prio-stated" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 2000001000 from the given PriorityClass name');

    expect((await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc('fid-default', 100, { globalDefault: true, preemptionPolicy: 'Never' }))).status).toBe(201);
    const second = await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc('fid-default-2', 50, { globalDefault: true }));
    expect([second.status, second.json.message]).toEqual([403, 'priorityclasses.scheduling.k8s.io "fid-default-2" is forbidden: PriorityClass fid-default is already marked as default. Only one default can exist']);
    const defaulted = await call('POST', '/api/v1/namespaces/default/pods', pod('prio-defaulted'));
    expect([defaulted.json.spec.priorityClassName, defaulted.json.spec.priority, defaulted.json.spec.preemptionPolicy]).toEqual(['fid-default', 100, 'Never']);
    const changed = await call('PATCH', '/apis/scheduling.k8s.io/v1/priorityclasses/fid-default', { value: 5 }, 'application/merge-patch+json');
    expect([changed.status, changed.json.details?.causes?.[0]]).toEqual([422, { reason: 'FieldValueForbidden', message: 'Forbidden: may not be changed in an update.', field: 'value' }]);
    expect((await call('DELETE', '/apis/scheduling.k8s.io/v1/priorityclasses/fid-default')).status).toBe(200);
    const reserved = await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc('system-mine', 1));
    expect(reserved.json.details.causes[0]).toMatchObject({ field: 'metadata.name', message: "Forbidden: priority class names with 'system-' prefix are reserved for system use only" });
    const huge = await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc('huge', 1000000001));
    expect(huge.json.details.causes[0]).toMatchObject({ field: 'value', message: 'Forbidden: maximum allowed value of a user defined priority is 1000000000' });
  });
});

describe('storage classes and volumes', () => {
  it('defaults a class\'s reclaim policy and binding mode, refuses one without a provisioner or changing its parameters; a new volume is Pending', async () => {
    const created = await call('POST', '/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fid-sc' }, provisioner: 'example.com/disk', parameters: { type: 'ssd' } });
    expect([created.status, created.json.reclaimPolicy, created.json.volumeBindingMode]).toEqual([201, 'Delete', 'Immediate']);
    const bare = await call('POST', '/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fid-bare' } });
    expect([bare.status, bare.json.message]).toEqual([422, 'StorageClass.storage.k8s.io "fid-bare" is invalid: provisioner: Required value']);
    const changed = await call('PATCH', '/apis/storage.k8s.io/v1/storageclasses/fid-sc', { parameters: { type: 'hdd' } }, 'application/merge-patch+json');
    expect([changed.status, changed.json.details?.causes?.[0]?.message]).toEqual([422, 'Forbidden: updates to parameters are forbidden.']);
    const pv = await call('POST', '/api/v1/persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'fid-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/fid-pv' } }, status: { phase: 'Bound' } });
    expect([pv.status, pv.json.status]).toEqual([201, { phase: 'Pending' }]);
  });

  it('serves CSI drivers as Kubernetes defaults them, shows their columns and keeps attachRequired', async () => {
    const created = await call('POST', '/apis/storage.k8s.io/v1/csidrivers', { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'fid.csi.example.com' }, spec: { podInfoOnMount: true } });
    expect([created.status, created.json.spec]).toEqual([201, { attachRequired: true, podInfoOnMount: true, volumeLifecycleModes: ['Persistent'], storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', requiresRepublish: false, seLinuxMount: false }]);
    const table = await call('GET', '/apis/storage.k8s.io/v1/csidrivers/fid.csi.example.com', undefined, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age']);
    expect(table.json.rows[0].cells.slice(0, 7)).toEqual(['fid.csi.example.com', true, true, false, '<unset>', false, 'Persistent']);
    const changed = await call('PATCH', '/apis/storage.k8s.io/v1/csidrivers/fid.csi.example.com', { spec: { attachRequired: false } }, 'application/merge-patch+json');
    expect([changed.status, changed.json.details?.causes?.[0]?.field]).toEqual([422, 'spec.attachRequired']);
    const capacity = await call('POST', '/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities', { apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name: 'fid-capacity' }, storageClassName: 'fid-sc', capacity: '10Gi' });
    expect(capacity.status).toBe(201);
    const moved = await call('PATCH', '/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities/fid-capacity', { storageClassName: 'other', capacity: '5Gi' }, 'application/merge-patch+json');
    expect([moved.status, moved.json.details?.causes?.map((c: any) => c.field)]).toEqual([422, ['storageClassName']]);
  });
});

describe('API Priority and Fairness objects', () => {
  const base = '/apis/flowcontrol.apiserver.k8s.io/v1';
  const table = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };

  it('has the mandatory and suggested levels and schemas of a Kubernetes 1.32 cluster, with kubectl\'s columns', async () => {
    const levels = await call('GET', `${base}/prioritylevelconfigurations`);
    expect(levels.json.items.map((l: any) => [l.metadata.name, l.spec.type, l.spec.limited?.nominalConcurrencyShares, l.metadata.annotations?.['apf.kubernetes.io/autoupdate-spec']])).toEqual([
      ['catch-all', 'Limited', 5, 'true'],
      ['exempt', 'Exempt', undefined, 'true'],
      ['global-default', 'Limited', 20, 'true'],
      ['leader-election', 'Limited', 10, 'true'],
      ['node-high', 'Limited', 40, 'true'],
      ['system', 'Limited', 30, 'true'],
      ['workload-high', 'Limited', 40, 'true'],
      ['workload-low', 'Limited', 100, 'true'],
    ]);
    const schemas = await call('GET', `${base}/flowschemas`);
    expect(schemas.json.items.map((s: any) => [s.metadata.name, s.spec.matchingPrecedence, s.spec.priorityLevelConfiguration.name, s.spec.distinguisherMethod?.type])).toEqual([
      ['catch-all', 10000, 'catch-all', 'ByUser'],
      ['endpoint-controller', 150, 'workload-high', 'ByUser'],
      ['exempt', 1, 'exempt', undefined],
      ['global-default', 9900, 'global-default', 'ByUser'],
      ['kube-controller-manager', 800, 'workload-high', 'ByNamespace'],
      ['kube-scheduler', 800, 'workload-high', 'ByNamespace'],
      ['kube-system-service-accounts', 900, 'workload-high', 'ByNamespace'],
      ['probes', 2, 'exempt', undefined],
      ['service-accounts', 9000, 'workload-low', 'ByUser'],
      ['system-leader-election', 100, 'leader-election', 'ByUser'],
      ['system-node-high', 400, 'node-high', 'ByUser'],
      ['system-nodes', 500, 'system', 'ByUser'],
      ['workload-leader-election', 200, 'leader-election', 'ByUser'],
    ]);
    expect(schemas.json.items[0].metadata.managedFields.map((m: any) => m.manager)).toContain('api-priority-and-fairness-config-producer-v1');
    const queuing = await call('GET', `${base}/prioritylevelconfigurations/workload-low`, undefined, undefined, table);
    expect(queuing.json.rows[0].cells.slice(0, 6)).toEqual(['workload-low', 'Limited', 100, 128, 6, 50]);
    const levelTable = await call('GET', `${base}/prioritylevelconfigurations/catch-all`, undefined, undefined, table);
    expect(levelTable.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Type', 'NominalConcurrencyShares', 'Queues', 'HandSize', 'QueueLengthLimit', 'Age']);
    expect(levelTable.json.rows[0].cells.slice(0, 6)).toEqual(['catch-all', 'Limited', 5, '<none>', '<none>', '<none>']);
    const schemaTable = await call('GET', `${base}/flowschemas/exempt`, undefined, undefined, table);
    expect(schemaTable.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'PriorityLevel', 'MatchingPrecedence', 'DistinguisherMethod', 'Age', 'MissingPL']);
    expect(schemaTable.json.rows[0].cells.slice(0, 4)).toEqual(['exempt', 'exempt', 1, '*']);
  });

  it('defaults and checks new levels and schemas as Kubernetes does, and keeps their status apart', async () => {
    const level = await call('POST', `${base}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'fid-level' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue' } } } });
    expect([level.status, level.json.spec.limited]).toEqual([201, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } }]);
    const exemptByName = await call('POST', `${base}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'fid-free' }, spec: { type: 'Exempt', exempt: {} } });
    expect([exemptByName.status, exemptByName.json.details?.causes?.[0]?.message]).toEqual([422, `Invalid value: "Exempt": type must be 'Exempt' if and only if name is 'exempt'`]);
    const hands = await call('POST', `${base}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'fid-hands' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 8 } } } } });
    expect([hands.status, hands.json.details?.causes?.[0]?.field]).toEqual([422, 'spec.limited.limitResponse.queuing.handSize']);

    const schema = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'fid-schema' }, spec: { priorityLevelConfiguration: { name: 'fid-level' }, rules: [{ subjects: [{ kind: 'User', user: { name: 'alice' } }], resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['*'] }] }] } };
    const made = await call('POST', `${base}/flowschemas`, schema);
    expect([made.status, made.json.spec.matchingPrecedence]).toEqual([201, 1000]);
    const first = await call('POST', `${base}/flowschemas`, { ...schema, metadata: { name: 'fid-first' }, spec: { ...schema.spec, matchingPrecedence: 1 } });
    expect([first.status, first.json.details?.causes?.[0]?.message]).toEqual([422, "Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1"]);
    const subjectless = await call('POST', `${base}/flowschemas`, { ...schema, metadata: { name: 'fid-nobody' }, spec: { ...schema.spec, rules: [{ subjects: [{ kind: 'User' }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }] } });
    expect([subjectless.status, subjectless.json.details?.causes?.map((c: any) => c.field)]).toEqual([422, ['spec.rules[0].subjects[0].user']]);

    // The status subresource writes only status; the main resource leaves it alone.
    const condition = { type: 'Dangling', status: 'False', reason: 'Found', message: 'This FlowSchema references the PriorityLevelConfiguration object named "fid-level" and it exists', lastTransitionTime: '2026-12-04T00:00:00Z' };
    const statusWrite = await call('PATCH', `${base}/flowschemas/fid-schema/status`, { status: { conditions: [condition] }, spec: { matchingPrecedence: 5 } }, 'application/merge-patch+json');
    expect([statusWrite.status, statusWrite.json.status.conditions, statusWrite.json.spec.matchingPrecedence]).toEqual([200, [condition], 1000]);
    const row = await call('GET', `${base}/flowschemas/fid-schema`, undefined, undefined, table);
    expect(row.json.rows[0].cells[5]).toBe('False');
    expect((await call('DELETE', `${base}/flowschemas?fieldSelector=metadata.name%3Dfid-schema`)).status).toBe(200);
    expect((await call('GET', `${base}/flowschemas/fid-schema`)).status).toBe(404);
  });

  it('classifies requests by the schemas, says so in response headers, and marks a schema whose level is missing Dangling', async () => {
    // As Kubernetes' conformance test does: a level, a schema for one user, then requests as that user and another.
    const level = await call('POST', `${base}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'fid-noxu' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Reject' } } } });
    const rules = [{ subjects: [{ kind: 'User', user: { name: 'noxu' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }];
    const schema = await call('POST', `${base}/flowschemas`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'fid-noxu' }, spec: { matchingPrecedence: 1000, priorityLevelConfiguration: { name: 'fid-noxu' }, distinguisherMethod: { type: 'ByUser' }, rules } });
    expect([level.status, schema.status]).toEqual([201, 201]);
    const dangling = async (name: string) => ((await call('GET', `${base}/flowschemas/${name}`)).json.status?.conditions ?? []).find((c: any) => c.type === 'Dangling');
    await waitFor('the Dangling condition', async () => (await dangling('fid-noxu'))?.status === 'False');
    expect(await dangling('fid-noxu')).toMatchObject({ reason: 'Found', message: 'This FlowSchema references the PriorityLevelConfiguration object named "fid-noxu" and it exists' });
    expect((await call('GET', '/metrics')).text).toContain('apiserver_flowcontrol_nominal_limit_seats{priority_level="fid-noxu"} ');

    const as = (user: string) => call('GET', '/version', undefined, undefined, { 'Impersonate-User': user, 'Impersonate-Group': 'system:authenticated' });
    const matching = await as('noxu');
    expect([matching.headers.get('x-kubernetes-pf-flowschema-uid'), matching.headers.get('x-kubernetes-pf-prioritylevel-uid')]).toEqual([schema.json.metadata.uid, level.json.metadata.uid]);
    const globalDefault = (await call('GET', `${base}/flowschemas/global-default`)).json.metadata.uid;
    expect((await as('foo')).headers.get('x-kubernetes-pf-flowschema-uid')).toBe(globalDefault);
    // A refused request is classified too; the local admin is exempt.
    const refused = await call('GET', '/api/v1/secrets', undefined, undefined, { 'Impersonate-User': 'noxu' });
    expect([refused.status, refused.headers.get('x-kubernetes-pf-flowschema-uid')]).toEqual([403, globalDefault]);
    const exempt = (await call('GET', `${base}/flowschemas/exempt`)).json.metadata.uid;
    expect((await call('GET', '/version')).headers.get('x-kubernetes-pf-flowschema-uid')).toBe(exempt);

    // Without its level the schema dangles, and its user's requests go on to the next schema.
    expect((await call('DELETE', `${base}/prioritylevelconfigurations/fid-noxu`)).status).toBe(200);
    await waitFor('the schema to dangle', async () => (await dangling('fid-noxu'))?.status === 'True');
    expect(await dangling('fid-noxu')).toMatchObject({ reason: 'NotFound' });
    expect((await as('noxu')).headers.get('x-kubernetes-pf-flowschema-uid')).toBe(globalDefault);
    await call('DELETE', `${base}/flowschemas/fid-noxu`);
  });
});

describe('the deprecated watch paths', () => {
  it('watch a collection, or one object by name, as ?watch=true does', async () => {
    for (const name of ['watched-1', 'watched-2']) expect((await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { watched: 'yes' } } })).status).toBe(201);
    const events = async (path: string) =>
      (await fetch(`${api.url}${path}`).then((r) => r.text()))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } })
        .map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(await events('/api/v1/watch/namespaces/default/configmaps?labelSelector=watched%3Dyes&timeoutSeconds=1')).toEqual(['ADDED watched-1', 'ADDED watched-2']);
    expect(await events('/api/v1/watch/namespaces/default/configmaps/watched-2?timeoutSeconds=1')).toEqual(['ADDED watched-2']);
    expect(await events('/api/v1/watch/namespaces/default/configmaps/watched-2?fieldSelector=metadata.name%3Dwatched-2&timeoutSeconds=1')).toEqual(['ADDED watched-2']);
  });

  it('lists the proxy subresources in discovery, as Kubernetes does', async () => {
    const list = (await call('GET', '/api/v1')).json as { resources: Array<{ name: string; kind: string; verbs: string[] }> };
    const proxies = list.resources.filter((r) => r.name.endsWith('/proxy')).map((r) => `${r.name} ${r.kind} ${r.verbs.join(',')}`);
    expect(proxies.sort()).toEqual(['nodes/proxy NodeProxyOptions create,delete,get,patch,update', 'pods/proxy PodProxyOptions create,delete,get,patch,update', 'services/proxy ServiceProxyOptions create,delete,get,patch,update']);
  });
});
