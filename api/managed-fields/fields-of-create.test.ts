// The one-walk FieldsV1 of a create (fieldsV1Of) must be exactly what the general path
// (fieldsOfCreate, then toFieldsV1) writes, key order included: clients diff managedFields.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deployment } from '../kinds/apps/deployment.js';
import { configMap } from '../kinds/core/configmap.js';
import { event } from '../kinds/core/event.js';
import { eventV1 } from '../kinds/events/event.js';
import { pod } from '../kinds/core/pod.js';
import type { KubeObject } from '../types/meta.js';
import { DEDUCED, fieldsOfCreate, fieldsV1Of, toFieldsV1, type Shape } from './field-set.js';
import { recordUpdate, type Writer } from './managed-fields.js';
import { shapeOfKind } from './shapes.js';

const general = (v: unknown, s: Shape) => JSON.stringify(toFieldsV1(fieldsOfCreate(v, s)));
const direct = (v: unknown, s: Shape) => {
  const out = fieldsV1Of(v, s);
  return out === undefined ? general(v, s) : JSON.stringify(out);
};

const key = fc.oneof(fc.constantFrom('name', 'a', 'ab', 'b', 'containerPort', 'protocol', 'x.y', 'k', '__proto__', 'i:1', ''), fc.string({ maxLength: 6 }));
const scalar = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null));
// Pod-like values: lists of objects that often carry the keys Pod's keyed lists use.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('object'), tie('list')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  list: fc.array(
    fc.oneof(
      tie('value'),
      fc.record({ name: fc.constantFrom('c', 'd', 'e'), image: fc.string({ maxLength: 3 }) }, { requiredKeys: ['name'] }),
      fc.record({ containerPort: fc.constantFrom(80, 443), protocol: fc.constantFrom('TCP', 'UDP') }),
    ),
    { maxLength: 4 },
  ),
}));
const podLike = fc.record({
  metadata: fc.record({ name: fc.string(), labels: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })), finalizers: fc.array(fc.string({ maxLength: 3 })), uid: fc.string() }, { requiredKeys: [] }),
  spec: fc.record({ containers: value, initContainers: value, volumes: value, tolerations: value, nodeSelector: value, extra: value }, { requiredKeys: [] }),
  status: value,
});

describe('FieldsV1 of a create in one walk', () => {
  const shapes: Array<[string, Shape]> = [
    ['deduced', DEDUCED],
    ['Pod', shapeOfKind(pod)],
    ['Deployment', shapeOfKind(deployment)],
    ['ConfigMap', shapeOfKind(configMap)],
    ['Event', shapeOfKind(event)],
  ];
  for (const [name, shape] of shapes) {
    it(`is what the general path writes (${name}, random objects)`, () => {
      fc.assert(fc.property(fc.oneof(podLike, value), (v) => direct(v, shape) === general(v, shape)), { numRuns: 400 });
    });
  }

  it('records nothing for an object whose fields all stay at their zeros (found by the random runs)', () => {
    const shape = shapeOfKind(pod);
    for (const v of [{ spec: { containers: null } }, { metadata: {}, spec: { containers: null }, status: null }]) expect(direct(v, shape)).toBe(general(v, shape));
    expect(direct({ spec: { containers: null } }, shape)).toBe('{}');
  });

  it('owns an atomic struct that is set (an Event\'s involvedObject, an events.k8s.io Event\'s regarding), as Kubernetes shows', () => {
    const core = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'm' };
    expect(JSON.parse(direct(core, shapeOfKind(event)))).toEqual({ 'f:apiVersion': {}, 'f:involvedObject': {}, 'f:kind': {}, 'f:message': {}, 'f:metadata': { 'f:name': {} } });
    expect(direct(core, shapeOfKind(event))).toBe(general(core, shapeOfKind(event)));
    const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'p' }, note: 'n' };
    expect(JSON.parse(direct(v1, shapeOfKind(eventV1)))).toHaveProperty('f:regarding', {});
    expect(direct(v1, shapeOfKind(eventV1))).toBe(general(v1, shapeOfKind(eventV1)));
  });

  it('gives a create the same managedFields entry as the general path', () => {
    const w: Writer = { manager: 'kubectl-create', apiVersion: 'v1', now: '2026-12-01T00:00:00Z' };
    const shape = shapeOfKind(pod);
    fc.assert(
      fc.property(podLike, (p) => {
        const obj = { apiVersion: 'v1', kind: 'Pod', ...p } as unknown as KubeObject;
        // An explicit empty `requested` list takes the general path.
        expect(JSON.stringify(recordUpdate(undefined, obj, shape, true, w))).toBe(JSON.stringify(recordUpdate(undefined, obj, shape, true, w, [])));
        const status = { ...w, subresource: 'status' };
        expect(JSON.stringify(recordUpdate(undefined, obj, shape, true, status))).toBe(JSON.stringify(recordUpdate(undefined, obj, shape, true, status, [])));
      }),
      { numRuns: 300 },
    );
  });

  it('hands what it cannot do to the general path', () => {
    const shape = shapeOfKind(pod);
    const twins = { spec: { containers: [{ name: 'c' }, { name: 'c', image: 'x' }] } };
    expect(fieldsV1Of(twins, shape)).toBeUndefined();
    expect(fieldsV1Of({ ['a\u0000b']: 1 }, DEDUCED)).toBeUndefined();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1000; i++) deep = { d: deep };
    expect(fieldsV1Of(deep, DEDUCED)).toBeUndefined();
    expect(direct(deep, DEDUCED)).toBe(general(deep, DEDUCED));
  });
});
