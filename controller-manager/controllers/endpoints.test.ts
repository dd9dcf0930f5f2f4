// Endpoints and EndpointSlice reconcile against seeded caches and a recording fake client.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../api/types/core.js';
import type { EndpointSlice } from '../../api/types/discovery.js';
import type { Pod } from '../../api/types/pod.js';
import { endpointSlice } from '../../api/kinds/discovery/endpointslice.js';
import { resource } from '../../client/rest.js';
import { fakeWorld } from '../framework/fake-context.js';
import { EndpointsController } from './endpoints.js';
import { EndpointSliceController } from './endpointslice.js';
import { resolvePorts } from './service-endpoints.js';

const service = (extra: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.9', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});

let rv = 0;
const pod = (name: string, ip: string, ready: boolean, labels = { app: 'web' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels, resourceVersion: String(++rv) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('Endpoints reconcile', () => {
  it('writes ready and not-ready addresses with named target ports resolved per pod', async () => {
    const w = fakeWorld();
    const c = new EndpointsController(w.ctx);
    w.seed('v1/services', service());
    w.seed('v1/pods', pod('a', '172.18.0.3', true), pod('b', '172.18.0.2', false), pod('other', '172.18.0.4', true, { app: 'db' }));
    w.seed('v1/endpoints');
    await c.reconcile('ns/web');
    const [write] = w.client.writes('endpoints');
    expect(write).toMatchObject({ verb: 'create', namespace: 'ns' });
    expect(write!.body).toMatchObject({
      metadata: { name: 'web', labels: { team: 'a' } },
      subsets: [
        {
          addresses: [{ ip: '172.18.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'a', uid: 'a-uid' } }],
          notReadyAddresses: [{ ip: '172.18.0.2', targetRef: { name: 'b' } }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    });
  });

  it("leaves a selector-less Service's Endpoints to the user and removes those of a deleted Service", async () => {
    const w = fakeWorld();
    const c = new EndpointsController(w.ctx);
    const manual = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'ns' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }] }] };
    w.seed('v1/services', service({ selector: undefined }));
    w.seed('v1/pods', pod('a', '172.18.0.3', true));
    w.seed('v1/endpoints', manual);
    await c.reconcile('ns/web');
    expect(w.client.writes('endpoints')).toEqual([]);

    w.seed('v1/services');
    await c.reconcile('ns/web');
    expect(w.client.writes('endpoints')).toEqual([expect.objectContaining({ verb: 'delete', name: 'web' })]);
  });
});

describe('EndpointSlice reconcile', () => {
  it('creates a slice owned by the Service with per-endpoint conditions', async () => {
    const w = fakeWorld();
    const c = new EndpointSliceController(w.ctx);
    w.seed('v1/services', service());
    w.seed('v1/pods', pod('a', '172.18.0.3', true), pod('b', '172.18.0.2', false));
    w.seed('discovery.k8s.io/v1/endpointslices');
    await c.reconcile('ns/web');
    const [write] = w.client.writes('endpointslices');
    expect(write!.body).toMatchObject({
      addressType: 'IPv4',
      metadata: {
        generateName: 'web-',
        labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ kind: 'Service', name: 'web', uid: 'svc-uid', controller: true }],
      },
      endpoints: [
        { addresses: ['172.18.0.2'], conditions: { ready: false, serving: false, terminating: false } },
        { addresses: ['172.18.0.3'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1' },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  });

  it('leaves alone a slice the apiserver stored with its defaults (an unnamed port named "")', async () => {
    const w = fakeWorld();
    const c = new EndpointSliceController(w.ctx);
    const slices = resource('discovery.k8s.io/v1/endpointslices');
    w.seed('v1/services', service({ ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] }));
    w.seed('v1/pods', pod('a', '172.18.0.3', true));
    w.seed('discovery.k8s.io/v1/endpointslices');
    await c.reconcile('ns/web');
    const created = (await w.client.list<EndpointSlice>(slices, 'ns')).items;
    expect(created[0]!.ports).toEqual([{ name: '', protocol: 'TCP', port: 8080 }]);
    // As the apiserver keeps it: its kind's defaults applied.
    for (const s of created) endpointSlice.defaults!(s as never);
    w.seed('discovery.k8s.io/v1/endpointslices', ...created);
    const before = w.client.writes('endpointslices').length;
    await c.reconcile('ns/web');
    expect(w.client.writes('endpointslices')).toHaveLength(before);
  });

  it('updates the existing slice in place when an endpoint changes, and writes nothing when nothing did', async () => {
    const w = fakeWorld();
    const c = new EndpointSliceController(w.ctx);
    const slices = resource('discovery.k8s.io/v1/endpointslices');
    w.seed('v1/services', service());
    w.seed('v1/pods', pod('a', '172.18.0.3', true));
    w.seed('discovery.k8s.io/v1/endpointslices');
    await c.reconcile('ns/web');
    // The informer now shows what was created.
    const created = (await w.client.list<EndpointSlice>(slices, 'ns')).items;
    expect(created).toHaveLength(1);
    w.seed('discovery.k8s.io/v1/endpointslices', ...created);
    const before = w.client.writes('endpointslices').length;
    await c.reconcile('ns/web');
    expect(w.client.writes('endpointslices')).toHaveLength(before);

    w.seed('v1/pods', pod('a', '172.18.0.3', false));
    await c.reconcile('ns/web');
    const update = w.client.writes('endpointslices').slice(before);
    expect(update).toEqual([expect.objectContaining({ verb: 'update', name: created[0]!.metadata.name })]);
    expect((update[0]!.body as EndpointSlice).endpoints[0]!.conditions).toEqual({ ready: false, serving: false, terminating: false });
  });
});

describe('named target ports', () => {
  it("resolve in the first container naming them, a sidecar's too, as Kubernetes' FindPort does", () => {
    const svc = { metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ name: 'metrics', port: 9090, targetPort: 'metrics' }, { name: 'http', port: 80, targetPort: 'http' }] } } as unknown as Service;
    const p = {
      metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } },
      spec: {
        initContainers: [{ name: 'exporter', image: 'x', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9100 }] }, { name: 'setup', image: 'x', ports: [{ name: 'http', containerPort: 1 }] }],
        containers: [{ name: 'a', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'b', image: 'x', ports: [{ name: 'http', containerPort: 8081 }] }],
      },
    } as unknown as Pod;
    expect(resolvePorts(svc, p).map((x) => [x.name, x.port])).toEqual([
      ['metrics', 9100],
      ['http', 8080],
    ]);
  });
});
