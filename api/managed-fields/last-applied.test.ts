import { describe, expect, it } from 'vitest';
import { deployment } from '../kinds/apps/deployment.js';
import type { KubeObject } from '../types/meta.js';
import { LAST_APPLIED } from './last-applied.js';
import { applyConfiguration, recordUpdate, type Writer } from './managed-fields.js';
import { shapeOfKind } from './shapes.js';

const shape = shapeOfKind(deployment);
const w = (manager: string): Writer => ({ manager, apiVersion: 'apps/v1', now: '2026-12-03T00:00:00Z' });
const deploy = (image: string, replicas: number, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...(annotations ? { annotations } : {}) },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
});

/** An object as `kubectl apply` (client-side) leaves it: the annotation holds what it applied. */
function clientSideApplied(image: string, replicas: number): KubeObject {
  const obj = deploy(image, replicas, { [LAST_APPLIED]: JSON.stringify(deploy(image, replicas)) });
  obj.metadata.managedFields = recordUpdate(undefined, obj, shape, true, w('kubectl-client-side-apply'));
  return obj;
}

describe('moving from client-side to server-side apply', () => {
  it('lets kubectl take over fields the last-applied configuration still describes, and rewrites it', () => {
    const live = clientSideApplied('nginx:1', 2);
    const { object, managedFields } = applyConfiguration(live, deploy('nginx:2', 2), shape, true, w('kubectl'), false);
    expect((object.spec as any).template.spec.containers[0].image).toBe('nginx:2');
    expect(object.metadata.annotations![LAST_APPLIED]).toBe(`${JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx:2', name: 'c' }] } } } })}\n`);
    const owners = (managedFields as any[]).map((e) => [e.manager, e.operation]);
    expect(owners).toEqual([['kubectl-client-side-apply', 'Update'], ['kubectl', 'Apply']]);
  });

  it('still conflicts on fields changed since the client-side apply, and for other managers', () => {
    const live = clientSideApplied('nginx:1', 2);
    // Someone else's edit of the image, recorded under the same client-side manager: the annotation no longer matches.
    (live.spec as any).template.spec.containers[0].image = 'nginx:hotfix';
    expect(() => applyConfiguration(live, deploy('nginx:2', 2), shape, true, w('kubectl'), false)).toThrow(/Apply failed with 1 conflict: conflict with "kubectl-client-side-apply"/);
    expect(() => applyConfiguration(clientSideApplied('nginx:1', 2), deploy('nginx:2', 2), shape, true, w('helm'), false)).toThrow(/conflict with "kubectl-client-side-apply"/);
  });
});
