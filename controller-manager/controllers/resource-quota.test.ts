import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { fakeWorld } from '../framework/fake-context.js';
import { ResourceQuotaController } from './resource-quota.js';

const pod = (name: string, cpu: string, phase = 'Running'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: name },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }] },
  status: { phase },
});

describe('resourcequota reconcile', () => {
  it('writes hard and what the namespace uses: running pods, their requests, and listed kinds like Secrets', async () => {
    const w = fakeWorld();
    const c = new ResourceQuotaController(w.ctx);
    w.seed('v1/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns', resourceVersion: '1' }, spec: { hard: { pods: '10', 'requests.cpu': '4', secrets: '5', 'count/deployments.apps': '2' } } });
    w.seed('v1/pods', pod('a', '500m'), pod('b', '1'), pod('done', '2', 'Succeeded'));
    w.seed('v1/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' } });
    w.seed('apps/v1/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other', namespace: 'elsewhere' } });
    const result = await c.reconcile('ns/q');
    // Secrets and Deployments are listed, not followed: recounted sooner.
    expect(result).toEqual({ requeueAfterMs: 15_000 });
    const [write] = w.client.writes('resourcequotas');
    expect(write).toMatchObject({ verb: 'update', subresource: 'status' });
    expect((write!.body as KubeObject).status).toEqual({
      hard: { pods: '10', 'requests.cpu': '4', secrets: '5', 'count/deployments.apps': '2' },
      used: { pods: '2', 'requests.cpu': '1500m', secrets: '1', 'count/deployments.apps': '1' },
    });
  });
});
