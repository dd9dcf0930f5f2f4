import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { fakeWorld } from '../framework/fake-context.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.js';

const role = (name: string, labels: Record<string, string>, rules: unknown[], aggregationRule?: unknown): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels, resourceVersion: '1' }, rules, ...(aggregationRule ? { aggregationRule } : {}) }) as KubeObject;
const read = (r: string) => ({ verbs: ['get'], apiGroups: [''], resources: [r] });

describe('ClusterRole aggregation reconcile', () => {
  it('fills an aggregating role with the rules of the roles its selectors match, in name order, each rule once', async () => {
    const w = fakeWorld();
    const c = new ClusterRoleAggregationController(w.ctx);
    w.seed(
      'rbac.authorization.k8s.io/v1/clusterroles',
      role('monitoring', {}, [], { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }] }),
      role('b-pods', { 'example.com/aggregate-to-monitoring': 'true' }, [read('pods'), read('services')]),
      role('a-nodes', { 'example.com/aggregate-to-monitoring': 'true' }, [read('nodes'), read('pods')]),
      role('unrelated', { other: 'true' }, [read('secrets')]),
    );
    await c.reconcile('monitoring');
    await c.reconcile('b-pods'); // not aggregating: nothing to do
    const writes = w.client.writes('clusterroles');
    expect(writes).toHaveLength(1);
    expect((writes[0]!.body as { rules: unknown[] }).rules).toEqual([read('nodes'), read('pods'), read('services')]);
  });

  it('writes nothing when the rules are already the union', async () => {
    const w = fakeWorld();
    const c = new ClusterRoleAggregationController(w.ctx);
    w.seed(
      'rbac.authorization.k8s.io/v1/clusterroles',
      role('agg', {}, [read('pods')], { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] }),
      role('src', { x: 'y' }, [read('pods')]),
    );
    await c.reconcile('agg');
    expect(w.client.writes('clusterroles')).toEqual([]);
  });
});
