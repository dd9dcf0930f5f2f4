import { describe, expect, it } from 'vitest';
import { deployment } from '../kinds/apps/deployment.js';
import type { KubeObject } from '../types/meta.js';
import { describePath, fieldsOf, fromFieldsV1, key, toFieldsV1 } from './field-set.js';
import { applyConfiguration, recordUpdate, type Writer } from './managed-fields.js';
import { shapeOfKind } from './shapes.js';

const shape = shapeOfKind(deployment);
const w = (manager: string): Writer => ({ manager, apiVersion: 'apps/v1', now: '2026-11-30T00:00:00Z' });

const deploy = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...(labels ? { labels } : {}) },
  spec,
});
const containers = (...cs: Array<Record<string, unknown>>) => ({ template: { spec: { containers: cs } } });

describe('field sets', () => {
  it('names keyed list items and round-trips through FieldsV1', () => {
    const set = fieldsOf(deploy({ replicas: 2, ...containers({ name: 'c', image: 'i' }) }), shape);
    const fields = toFieldsV1(set);
    expect(fields).toEqual({
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:name': {} },
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
      },
    });
    expect(fromFieldsV1(fields)).toEqual(set);
    expect(describePath(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'])).toBe('.spec.template.spec.containers[name="c"].image');
  });
});

describe('server-side apply', () => {
  it('owns what it applied, conflicts with another manager over a different value, and forces', () => {
    const first = applyConfiguration(undefined, deploy({ replicas: 2, ...containers({ name: 'c', image: 'v1' }) }), shape, true, w('alice'), false);
    const live: KubeObject = { ...first.object, metadata: { ...first.object.metadata, managedFields: first.managedFields } };
    // Same value: shared, no conflict.
    const shared = applyConfiguration(live, deploy({ replicas: 2 }), shape, true, w('bob'), false);
    expect(shared.managedFields.map((e) => e.manager)).toEqual(['alice', 'bob']);
    // Different value: 409 naming alice and the field.
    let err: any;
    try {
      applyConfiguration(live, deploy({ replicas: 3, ...containers({ name: 'c', image: 'v2' }) }), shape, true, w('bob'), false);
    } catch (e) {
      err = e;
    }
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 2 conflicts: conflicts with "alice" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image');
    expect(err.details.causes).toContainEqual({ reason: 'FieldManagerConflict', message: 'conflict with "alice" using apps/v1', field: '.spec.replicas' });
    const forced = applyConfiguration(live, deploy({ replicas: 3 }), shape, true, w('bob'), true);
    expect((forced.object.spec as any).replicas).toBe(3);
    const alice = forced.managedFields.find((e) => e.manager === 'alice')!;
    expect((alice.fieldsV1['f:spec'] as any)['f:replicas']).toBeUndefined();
  });

  it('removes fields the applier stopped sending unless someone else owns them', () => {
    const first = applyConfiguration(undefined, deploy({ replicas: 2, paused: true }, { a: '1', b: '2' }), shape, true, w('alice'), false);
    let live: KubeObject = { ...first.object, metadata: { ...first.object.metadata, managedFields: first.managedFields } };
    // bob also sets label b (same value): shared.
    const bob = applyConfiguration(live, deploy({}, { b: '2' }), shape, true, w('bob'), false);
    live = { ...bob.object, metadata: { ...bob.object.metadata, managedFields: bob.managedFields } };
    const next = applyConfiguration(live, deploy({ replicas: 2 }, { a: '1' }), shape, true, w('alice'), false);
    expect(next.object.spec).toEqual({ replicas: 2 });
    expect(next.object.metadata.labels).toEqual({ a: '1', b: '2' });
  });

  it('records an Update: changed fields move to the writer, removed ones to nobody', () => {
    const prev = deploy({ replicas: 1, paused: true, minReadySeconds: 3 });
    const created = recordUpdate(undefined, prev, shape, true, w('kubectl-create'));
    const withFields: KubeObject = { ...prev, metadata: { ...prev.metadata, managedFields: created } };
    const next = recordUpdate(withFields, deploy({ replicas: 5, minReadySeconds: 3 }), shape, true, w('kubectl-scale'));
    expect(next.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-scale']);
    expect(fromFieldsV1(next[0]!.fieldsV1)).toEqual(new Set([key(['f:spec', 'f:minReadySeconds'])]));
    expect(fromFieldsV1(next[1]!.fieldsV1)).toEqual(new Set([key(['f:spec', 'f:replicas'])]));
    // Nothing changed: the entries stay as they were (times included).
    expect(recordUpdate({ ...withFields }, { ...withFields }, shape, true, w('other'))).toBe(created);
  });
});
