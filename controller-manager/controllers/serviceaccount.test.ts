import { describe, expect, it } from 'vitest';
import type { Namespace } from '../../api/types/core.js';
import { fakeWorld } from '../framework/fake-context.js';
import { ServiceAccountController } from './serviceaccount.js';

const ns = (name: string, phase: 'Active' | 'Terminating' = 'Active'): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase } });

describe('ServiceAccount reconcile', () => {
  it('gives a namespace without one its default ServiceAccount, and no other namespace anything', async () => {
    const w = fakeWorld();
    const c = new ServiceAccountController(w.ctx);
    w.seed('v1/namespaces', ns('new'), ns('has'), ns('leaving', 'Terminating'));
    w.seed('v1/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'has' } });
    for (const key of ['new', 'has', 'leaving']) await c.reconcile(key);
    expect(w.client.writes('serviceaccounts')).toEqual([expect.objectContaining({ verb: 'create', namespace: 'new', body: expect.objectContaining({ metadata: { name: 'default', namespace: 'new' } }) })]);
  });
});
