import { describe, expect, it } from 'vitest';
import type { ConfigMap, Namespace } from '../../api/types/core.js';
import { fakeWorld } from '../framework/fake-context.js';
import { RootCAPublisher } from './root-ca-publisher.js';

const ns = (name: string, phase: 'Active' | 'Terminating' = 'Active'): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase } });
const cm = (namespace: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace, resourceVersion: '5' }, data });
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('root-CA publisher reconcile', () => {
  it('creates kube-root-ca.crt where it is missing, restores an edited one, and leaves correct and terminating namespaces alone', async () => {
    const w = fakeWorld();
    const c = new RootCAPublisher(w.ctx, CA);
    w.seed('v1/namespaces', ns('new'), ns('edited'), ns('fine'), ns('leaving', 'Terminating'));
    w.seed('v1/configmaps', cm('edited', { 'ca.crt': 'tampered', extra: 'x' }), cm('fine', { 'ca.crt': CA }));
    for (const key of ['new', 'edited', 'fine', 'leaving']) await c.reconcile(key);
    const writes = w.client.writes('configmaps');
    expect(writes.map((x) => [x.verb, x.namespace])).toEqual([
      ['create', 'new'],
      ['update', 'edited'],
    ]);
    expect(writes.every((x) => JSON.stringify((x.body as ConfigMap).data) === JSON.stringify({ 'ca.crt': CA }))).toBe(true);
  });

  it('publishes an empty bundle for a plain-HTTP cluster, so pods can still mount their API access volume', async () => {
    const w = fakeWorld();
    const c = new RootCAPublisher(w.ctx, '');
    w.seed('v1/namespaces', ns('new'));
    await c.reconcile('new');
    expect(w.client.writes('configmaps').map((x) => (x.body as ConfigMap).data)).toEqual([{ 'ca.crt': '' }]);
  });
});
