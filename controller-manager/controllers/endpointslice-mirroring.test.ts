import { describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../../api/types/core.js';
import type { EndpointSlice } from '../../api/types/discovery.js';
import { fakeWorld } from '../framework/fake-context.js';
import { EndpointSliceMirroringController, mirroredSlices } from './endpointslice-mirroring.js';

const endpoints = (subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'team', uid: 'ep-uid', ...meta }, subsets });
const service = (selector?: Record<string, string>): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'team' }, spec: { ports: [{ port: 5432 }], ...(selector ? { selector } : {}) } }) as Service;

describe('EndpointSlice mirroring', () => {
  it('groups addresses by address type and ports, ready and not, in canonical form, skipping what is not an IP', () => {
    const slices = mirroredSlices(
      endpoints([
        { addresses: [{ ip: '10.0.0.1', nodeName: 'node-1' }, { ip: '::ffff:10.0.0.2' }, { ip: 'db.example.com' }, { ip: '2001:DB8:0:0::1' }], notReadyAddresses: [{ ip: '10.0.0.3', hostname: 'db-3' }], ports: [{ port: 5432 }] },
        { addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'metrics', port: 9187, protocol: 'TCP' }] },
      ]),
    );
    expect(slices).toEqual([
      {
        addressType: 'IPv4',
        ports: [{ name: '', port: 5432, protocol: 'TCP' }],
        endpoints: [
          { addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'node-1' },
          { addresses: ['10.0.0.2'], conditions: { ready: true } },
          { addresses: ['10.0.0.3'], conditions: { ready: false }, hostname: 'db-3' },
        ],
      },
      { addressType: 'IPv6', ports: [{ name: '', port: 5432, protocol: 'TCP' }], endpoints: [{ addresses: ['2001:db8::1'], conditions: { ready: true } }] },
      { addressType: 'IPv4', ports: [{ name: 'metrics', port: 9187, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.9'], conditions: { ready: true } }] },
    ]);
  });

  it("mirrors only a selector-less Service's Endpoints, and removes the slices when that stops", async () => {
    const w = fakeWorld();
    const c = new EndpointSliceMirroringController(w.ctx);
    w.seed('v1/services', service());
    w.seed('v1/endpoints', endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 5432 }] }], { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x' } }));
    await c.reconcile('team/db');
    const [made] = w.client.writes('endpointslices');
    expect(made?.verb).toBe('create');
    expect((made!.body as EndpointSlice).metadata).toMatchObject({
      generateName: 'db-',
      namespace: 'team',
      labels: { 'kubernetes.io/service-name': 'db', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: 'db', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }],
    });
    // The Service gains a selector: the endpoints controller's business now; the mirrored slice goes.
    expect((made!.body as EndpointSlice).metadata.annotations).toEqual({ note: 'x' });
    w.seed('discovery.k8s.io/v1/endpointslices', { ...(made!.body as EndpointSlice), metadata: { ...(made!.body as EndpointSlice).metadata, name: 'db-abcde', uid: 's1' } });
    w.seed('v1/services', { ...service({ app: 'db' }), metadata: { ...service().metadata, resourceVersion: '2' } });
    await c.reconcile('team/db');
    expect(w.client.writes('endpointslices').slice(1).map((a) => [a.verb, a.name])).toEqual([['delete', 'db-abcde']]);
  });
});
