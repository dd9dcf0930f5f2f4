// Namespace deletion against a recording fake client: the namespace is emptied resource by
// resource, then finalized; while content remains, its conditions say so and it waits.
import { describe, expect, it } from 'vitest';
import type { Namespace } from '../../api/types/core.js';
import { resource } from '../../client/rest.js';
import { fakeWorld } from '../framework/fake-context.js';
import { NamespaceController } from './namespace.js';

const terminating: Namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'gone', uid: 'ns-uid', deletionTimestamp: '2026-11-30T10:00:00Z' },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Terminating' },
};

describe('Namespace reconcile', () => {
  it('deletes every kind of content in the namespace, then removes the kubernetes finalizer', async () => {
    const w = fakeWorld();
    const c = new NamespaceController(w.ctx);
    w.seed('v1/namespaces', terminating);
    w.client.seed(resource('v1/configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'gone' } });
    w.client.seed(resource('apps/v1/deployments'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'gone' } });
    w.client.seed(resource('v1/configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'other' } });
    expect(await c.reconcile('gone')).toBeUndefined();
    const collections = w.client.writes().filter((a) => a.verb === 'deletecollection');
    expect(collections.map((a) => `${a.resource}@${a.namespace}`).sort()).toEqual(['configmaps@gone', 'deployments@gone']);
    expect(w.client.stored(resource('v1/configmaps'), 'other', 'keep')).toBeDefined();
    const finalize = w.client.writes('namespaces').find((a) => a.subresource === 'finalize');
    expect((finalize?.body as Namespace).spec?.finalizers).toEqual([]);
    const conditions = (w.client.writes('namespaces').find((a) => a.subresource === 'status')?.body as { status: Namespace['status'] }).status!.conditions!;
    expect(conditions.find((x) => x.type === 'NamespaceContentRemaining')).toMatchObject({ status: 'False', reason: 'ContentRemoved' });
  });

  it('keeps the finalizer and says what remains while content cannot be deleted', async () => {
    const w = fakeWorld();
    const c = new NamespaceController(w.ctx);
    w.seed('v1/namespaces', terminating);
    w.client.seed(resource('v1/pods'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slow', namespace: 'gone' }, spec: { containers: [] } });
    w.client.failWhen({ verb: 'deletecollection', resource: 'pods' }, new Error('pods are still terminating'));
    expect(await c.reconcile('gone')).toEqual({ requeueAfterMs: 1000 });
    expect(w.client.writes('namespaces').some((a) => a.subresource === 'finalize')).toBe(false);
    const conditions = (w.client.writes('namespaces').find((a) => a.subresource === 'status')?.body as { status: Namespace['status'] }).status!.conditions!;
    expect(conditions.find((x) => x.type === 'NamespaceDeletionContentFailure')).toMatchObject({ status: 'True', reason: 'ContentDeletionFailed' });
  });
});
