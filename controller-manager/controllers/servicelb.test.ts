import { describe, expect, it } from 'vitest';
import type { Node, Service } from '../../api/types/core.js';
import { fakeWorld } from '../framework/fake-context.js';
import { ServiceLBController } from './servicelb.js';

const node = (name: string, ip: string, ready: boolean): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const service = (type: NonNullable<Service['spec']>['type'], ingress?: Array<{ ip: string; ipMode?: string }>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'lb', namespace: 'ns', uid: 'svc-uid' },
  spec: { type, ports: [{ port: 80 }] },
  ...(ingress ? { status: { loadBalancer: { ingress } } } : {}),
});

describe('ServiceLB reconcile', () => {
  it("reports the Ready nodes' addresses as a LoadBalancer Service's ingress", async () => {
    const w = fakeWorld();
    const c = new ServiceLBController(w.ctx);
    w.seed('v1/nodes', node('b', '10.0.0.2', true), node('a', '10.0.0.1', true), node('down', '10.0.0.3', false));
    w.seed('v1/services', service('LoadBalancer'));
    await c.reconcile('ns/lb');
    expect(w.client.writes('services')).toEqual([
      expect.objectContaining({ verb: 'patch', subresource: 'status', body: { metadata: { uid: 'svc-uid' }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1', ipMode: 'VIP' }, { ip: '10.0.0.2', ipMode: 'VIP' }] } } } }),
    ]);
  });

  it('writes nothing when the ingress is already right, and clears it when the type changes', async () => {
    const w = fakeWorld();
    const c = new ServiceLBController(w.ctx);
    w.seed('v1/nodes', node('a', '10.0.0.1', true));
    w.seed('v1/services', service('LoadBalancer', [{ ip: '10.0.0.1', ipMode: 'VIP' }]));
    await c.reconcile('ns/lb');
    expect(w.client.writes('services')).toEqual([]);
    w.seed('v1/services', { ...service('ClusterIP', [{ ip: '10.0.0.1', ipMode: 'VIP' }]), metadata: { name: 'lb', namespace: 'ns', uid: 'svc-uid', resourceVersion: '2' } });
    await c.reconcile('ns/lb');
    expect(w.client.writes('services')).toEqual([expect.objectContaining({ body: { metadata: { uid: 'svc-uid' }, status: { loadBalancer: {} } } })]);
  });
});
