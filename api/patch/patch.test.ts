import { describe, expect, it } from 'vitest';
import { schemaFor } from '../schema/kinds.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const deployment = schemaFor('apps/v1', 'Deployment');
const service = schemaFor('v1', 'Service');

describe('JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test in order', () => {
    const doc = { a: 1, list: [1, 2], nested: { x: 'y' } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/list/1', value: 9 },
      { op: 'replace', path: '/a', value: 2 },
      { op: 'remove', path: '/nested/x' },
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'move', from: '/b', path: '/c' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'test', path: '/c', value: 2 },
    ]);
    expect(out).toEqual({ a: 2, list: [1, 9, 2, 3], nested: {}, c: 2 });
    expect(doc).toEqual({ a: 1, list: [1, 2], nested: { x: 'y' } });
  });

  it('fails with 422 on a missing path or a failed test, leaving the input intact', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(/missing/);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test failed/);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/a/b/c', value: 2 }])).toThrow();
  });

  it('unescapes ~1 and ~0 in pointers (annotation keys with slashes)', () => {
    const out = applyJsonPatch({ metadata: { annotations: { 'a/b~c': 'x' } } }, [{ op: 'replace', path: '/metadata/annotations/a~1b~0c', value: 'y' }]);
    expect(out).toEqual({ metadata: { annotations: { 'a/b~c': 'y' } } });
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes with null and replaces lists', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});

describe('strategic merge patch', () => {
  const original = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.24', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
            { name: 'side', image: 'busybox' },
          ],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
    metadata: { finalizers: ['x'] },
  };

  it('merges containers by name and keeps fields the patch does not mention', () => {
    const out = applyStrategicMergePatch(original, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } }, deployment) as any;
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'busybox' },
    ]);
  });

  it('applies kubectl set image with $setElementOrder', () => {
    const patch = { spec: { template: { spec: { $setElementOrder: undefined, '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }], containers: [{ image: 'nginx:2', name: 'web' }] } } } };
    const out = applyStrategicMergePatch(original, patch, deployment) as any;
    expect(out.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(['side=busybox', 'web=nginx:2']);
  });

  it('deletes list elements with $patch: delete and merges nested keyed lists', () => {
    const out = applyStrategicMergePatch(
      original,
      { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }, { name: 'web', env: [{ name: 'B', value: '2' }] }] } } } },
      deployment,
    ) as any;
    expect(out.spec.template.spec.containers).toHaveLength(1);
    expect(out.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  });

  it('replaces lists without a merge key and unions finalizers', () => {
    const out = applyStrategicMergePatch(
      original,
      { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } }, metadata: { finalizers: ['y', 'x'] } },
      deployment,
    ) as any;
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(out.metadata.finalizers).toEqual(['x', 'y']);
  });

  it('merges Service ports by port and removes primitive-list entries on request', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] }, metadata: { finalizers: ['a', 'b'] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, name: 'http' }] }, metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, service) as any;
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 8080, name: 'http' }, { port: 443 }]);
    expect(out.metadata.finalizers).toEqual(['b']);
  });

  it('deletes a field set to null and replaces a map with $patch: replace', () => {
    const out = applyStrategicMergePatch({ metadata: { labels: { a: '1', b: '2' }, annotations: { x: 'y' } } }, { metadata: { labels: { $patch: 'replace', c: '3' }, annotations: null } }, deployment);
    expect(out).toEqual({ metadata: { labels: { c: '3' } } });
  });
});
