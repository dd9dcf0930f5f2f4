// Server-side apply with managedFields, against real etcd and the apiserver process, driven by
// unmodified kubectl (1.27, 1.32, 1.33): ownership recorded for every write, conflicts between
// two managers answered 409 with the managers and fields, --force-conflicts, fields an applier
// stops sending removed, and `kubectl apply --server-side` after client-side apply taking
// over the fields without conflicts, as Kubernetes migrates them. Custom resources too.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { KUBECTL_VERSIONS, kubectlFor } from '../harness/kubectl.js';

let api: ApiServerHandle;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
});
afterAll(async () => {
  await api?.stop();
});

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data });

const deployment = (name: string, replicas: number, image: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    },
  });

async function managers(path: string): Promise<Array<{ manager: string; operation: string; fieldsV1: any; subresource?: string }>> {
  return ((await (await fetch(`${api.url}${path}`)).json()) as any).metadata.managedFields ?? [];
}

describe("a create's managedFields", () => {
  let admitting: ApiServerHandle;
  beforeAll(async () => {
    admitting = await startApiServer({ etcd: inject('etcdEndpoint'), args: ['--enable-admission-plugins', 'ServiceAccount'] });
  });
  afterAll(async () => {
    await admitting?.stop();
  });

  it('own what the client sent and the defaults, not what admission added, as in Kubernetes', async () => {
    const post = async (path: string, body: object, agent = 'kubette-test') =>
      fetch(`${admitting.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': agent }, body: JSON.stringify(body) });
    expect((await post('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'default' } })).status).toBe(201);
    const res = await post('/api/v1/namespaces/default/pods', {
      metadata: { generateName: 'web-', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    }, 'kube-controller-manager/v1.32.0');
    expect(res.status).toBe(201);
    const pod = (await res.json()) as any;
    // Admission gave the pod its account, credentials volume and mount, default tolerations and priority...
    expect(pod.spec.serviceAccountName).toBe('default');
    expect(pod.spec.volumes[0].name).toMatch(/^kube-api-access-/);
    expect(pod.spec.containers[0].volumeMounts[0].mountPath).toBe('/var/run/secrets/kubernetes.io/serviceaccount');
    expect(pod.spec.tolerations.map((t: any) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
    expect(pod.spec.priority).toBe(0);
    // ...but the creator owns only what it sent, with the defaults: as real kube-controller-manager pods show.
    expect(pod.metadata.managedFields).toHaveLength(1);
    const entry = pod.metadata.managedFields[0];
    expect([entry.manager, entry.operation]).toEqual(['kube-controller-manager', 'Update']);
    // The labels map was added by this write, so its writer owns the map itself too (`.`).
    expect(entry.fieldsV1).toEqual({
      'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:resources': {}, 'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {} },
        },
        'f:dnsPolicy': {},
        'f:enableServiceLinks': {},
        'f:restartPolicy': {},
        'f:schedulerName': {},
        'f:securityContext': {},
        'f:terminationGracePeriodSeconds': {},
      },
    });

    // A namespace: its finalizer is the registry's, not its creator's; its name label is a default.
    const ns = await post('/api/v1/namespaces', { metadata: { name: 'fields-ns' } }, 'kubectl-create/v1.32.0');
    expect(ns.status).toBe(201);
    const created = (await ns.json()) as any;
    expect(created.spec.finalizers).toEqual(['kubernetes']);
    expect(created.metadata.managedFields.map((e: any) => e.fieldsV1)).toEqual([{ 'f:metadata': { 'f:labels': { '.': {}, 'f:kubernetes.io/metadata.name': {} } } }]);

    // A claim: the default class and the protection finalizer come from admission, and are nobody's.
    const annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
    expect((await post('/apis/storage.k8s.io/v1/storageclasses', { metadata: { name: 'fields-default', annotations }, provisioner: 'kubette.io/local-path' })).status).toBe(201);
    const claimed = await post('/api/v1/namespaces/default/persistentvolumeclaims', { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }, 'kubectl/v1.32.0');
    expect(claimed.status).toBe(201);
    const claim = (await claimed.json()) as any;
    expect(claim.spec.storageClassName).toBeTruthy();
    expect(claim.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    const claimEntry = claim.metadata.managedFields[0];
    expect(claimEntry.manager).toBe('kubectl');
    expect(claimEntry.fieldsV1['f:metadata']).toBeUndefined();
    expect(claimEntry.fieldsV1['f:spec']['f:accessModes']).toEqual({});
    // resources is a struct Go holds by value (there before the create), requests a map it adds.
    expect(claimEntry.fieldsV1['f:spec']['f:resources']).toEqual({ 'f:requests': { '.': {}, 'f:storage': {} } });
    expect(claimEntry.fieldsV1['f:spec']).not.toHaveProperty('f:storageClassName');
  });
});

describe.each(Object.entries(KUBECTL_VERSIONS))('kubectl %s server-side apply', (version, binary) => {
  const v = version.replace('.', '');
  let k: ReturnType<typeof kubectlFor>;
  beforeAll(() => {
    k = kubectlFor(api.url, binary);
  });

  it('records who set what, refuses conflicting applies with the managers and fields, and forces', async () => {
    const name = `ssa-${v}`;
    expect(await k.ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], deployment(name, 2, 'busybox:1.36'))).toContain('serverside-applied');
    const alice = (await managers(`/apis/apps/v1/namespaces/default/deployments/${name}`)).find((m) => m.manager === 'alice')!;
    expect(alice.operation).toBe('Apply');
    expect(alice.fieldsV1['f:spec']['f:replicas']).toEqual({});
    expect(alice.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"c"}']).toEqual({ '.': {}, 'f:image': {}, 'f:name': {} });

    // bob applies the same replicas: shared. A different image: conflict with alice.
    expect(await k.ok(['apply', '--server-side', '--field-manager=bob', '-f', '-'], deployment(name, 2, 'busybox:1.36'))).toContain('serverside-applied');
    const conflict = await k.run(['apply', '--server-side', '--field-manager=bob', '-f', '-'], deployment(name, 3, 'busybox:1.37'));
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 2 conflicts: conflicts with "alice" using apps/v1:');
    expect(conflict.stderr).toContain('- .spec.replicas');
    expect(conflict.stderr).toContain('- .spec.template.spec.containers[name="c"].image');
    expect(await k.ok(['get', 'deploy', name, '-o', 'jsonpath={.spec.replicas}'])).toBe('2');

    await k.ok(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'], deployment(name, 3, 'busybox:1.37'));
    expect(await k.ok(['get', 'deploy', name, '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}'])).toBe('3 busybox:1.37');
    const after = await managers(`/apis/apps/v1/namespaces/default/deployments/${name}`);
    expect(after.find((m) => m.manager === 'alice')!.fieldsV1['f:spec']['f:replicas']).toBeUndefined();

    // kubectl scale is recorded as its own Update through the scale subresource, and conflicts as such.
    await k.ok(['scale', 'deploy', name, '--replicas=4']);
    const scaled = await k.run(['apply', '--server-side', '--field-manager=bob', '-f', '-'], deployment(name, 3, 'busybox:1.37'));
    // The manager is the User-Agent product: the binary name (kubectl, or kubectl.1.27 here).
    expect(scaled.stderr).toMatch(/conflict with "kubectl[^"]*" with subresource "scale" using apps\/v1: \.spec\.replicas/);
  });

  it('removes what an applier stops sending, unless another manager owns it', async () => {
    const name = `ssa-rm-${v}`;
    await k.ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], configMap(name, { a: '1', b: '2', c: '3' }, { x: '1' }));
    await k.ok(['apply', '--server-side', '--field-manager=bob', '-f', '-'], configMap(name, { c: '3' }));
    await k.ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], configMap(name, { a: '1' }));
    const cm = JSON.parse(await k.ok(['get', 'cm', name, '-o', 'json']));
    expect(cm.data).toEqual({ a: '1', c: '3' });
    expect(cm.metadata.labels ?? {}).toEqual({});
  });

  it('takes over from client-side apply without conflicts, as Kubernetes migrates ownership', async () => {
    const name = `ssa-csa-${v}`;
    await k.ok(['apply', '-f', '-'], configMap(name, { a: '1', b: '2' }));
    const csa = await managers(`/api/v1/namespaces/default/configmaps/${name}`);
    expect(csa.map((m) => `${m.manager}/${m.operation}`)).toEqual(['kubectl-client-side-apply/Update']);
    const out = await k.run(['apply', '--server-side', '-f', '-'], configMap(name, { a: '1' }));
    if (version === '1.27') {
      // kubectl 1.27 does not migrate: its first server-side apply conflicts with client-side apply's fields it changes; here it changes none.
      expect(out.code).toBe(0);
      return;
    }
    expect(out.code).toBe(0);
    const cm = JSON.parse(await k.ok(['get', 'cm', name, '-o', 'json']));
    // b was client-side apply's alone, and kubectl moved it to itself: dropped from the manifest, it goes.
    expect(cm.data).toEqual({ a: '1' });
    expect((await managers(`/api/v1/namespaces/default/configmaps/${name}`)).map((m) => `${m.manager}/${m.operation}`)).toContain('kubectl/Apply');
  });
});

describe('server-side apply of custom resources', () => {
  it('merges x-kubernetes-list-type=map lists by key and keeps ownership per item', async () => {
    const group = 'ssa.example.com';
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `things.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'things', singular: 'thing', kind: 'Thing' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        }],
      },
    };
    expect((await fetch(`${api.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(crd) })).status).toBe(201);
    const path = `/apis/${group}/v1/namespaces/default/things/t1`;
    for (let i = 0; i < 50; i++) {
      if ((await fetch(`${api.url}/apis/${group}/v1/namespaces/default/things`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const apply = (manager: string, items: Array<{ name: string; value: string }>) =>
      fetch(`${api.url}${path}?fieldManager=${manager}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Thing', metadata: { name: 't1' }, spec: { items } }),
      });
    expect((await apply('alice', [{ name: 'a', value: '1' }])).status).toBe(201);
    expect((await apply('bob', [{ name: 'b', value: '2' }])).status).toBe(200);
    const both = (await (await fetch(`${api.url}${path}`)).json()) as any;
    expect(both.spec.items).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
    const clash = await apply('bob', [{ name: 'a', value: 'other' }, { name: 'b', value: '2' }]);
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as any).message).toBe('Apply failed with 1 conflict: conflict with "alice" using ssa.example.com/v1: .spec.items[name="a"].value');
    // alice stops sending her item: it goes, bob's stays.
    const dropped = await apply('alice', []);
    expect(dropped.status, await dropped.clone().text()).toBe(200);
    expect(((await (await fetch(`${api.url}${path}`)).json()) as any).spec.items).toEqual([{ name: 'b', value: '2' }]);
  });
});

describe('managedFields of writes in a version other than the stored one', () => {
  it('names an autoscaling/v1 writer\'s fields as v1 does, and compares later v2 writes in v1', async () => {
    const kubectl = kubectlFor(api.url);
    await kubectl.ok(['create', 'namespace', 'versions']);
    const hpa = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'versions' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
    };
    await kubectl.ok(['create', '-f', '-'], JSON.stringify(hpa));
    const path = '/apis/autoscaling/v2/namespaces/versions/horizontalpodautoscalers/web';
    const [created] = await managers(path);
    expect(created).toMatchObject({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'autoscaling/v1' });
    expect(Object.keys(created!.fieldsV1['f:spec']).sort()).toEqual(['f:maxReplicas', 'f:minReplicas', 'f:scaleTargetRef', 'f:targetCPUUtilizationPercentage']);

    // A v2 writer retargets the CPU metric: the v1 entry no longer owns the v1 field it maps to.
    const patch = { spec: { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } };
    await kubectl.ok(['patch', 'horizontalpodautoscalers.v2.autoscaling', 'web', '-n', 'versions', '--type=merge', '--field-manager=tuner', '-p', JSON.stringify(patch)]);
    const after = await managers(path);
    expect(after.map((e: any) => [e.manager, e.apiVersion])).toEqual([
      ['kubectl-create', 'autoscaling/v1'],
      ['tuner', 'autoscaling/v2'],
    ]);
    expect(Object.keys(after[0]!.fieldsV1['f:spec']).sort()).toEqual(['f:maxReplicas', 'f:minReplicas', 'f:scaleTargetRef']);
    expect(Object.keys(after[1]!.fieldsV1['f:spec'])).toEqual(['f:metrics']);
    // Read in v1, the object shows the new target.
    expect(JSON.parse(await kubectl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-n', 'versions', '-o', 'json'])).spec.targetCPUUtilizationPercentage).toBe(70);

    // Server-side apply in v2 of a field the v1 creator owns: a conflict naming it as v1 does; forced, it moves.
    const applied = JSON.stringify({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'versions' }, spec: { scaleTargetRef: hpa.spec.scaleTargetRef, maxReplicas: 7 } });
    const refused = await kubectl.run(['apply', '--server-side', '--field-manager=sizer', '-f', '-'], applied);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('conflict with "kubectl-create" using autoscaling/v1');
    expect(refused.stderr).toContain('.spec.maxReplicas');
    await kubectl.ok(['apply', '--server-side', '--field-manager=sizer', '--force-conflicts', '-f', '-'], applied);
    const forced = await managers(path);
    expect(Object.keys(forced.find((e: any) => e.manager === 'kubectl-create')!.fieldsV1['f:spec']).sort()).toEqual(['f:minReplicas', 'f:scaleTargetRef']);
    expect(Object.keys(forced.find((e: any) => e.manager === 'sizer')!.fieldsV1['f:spec']).sort()).toEqual(['f:maxReplicas', 'f:scaleTargetRef']);
  });
});
