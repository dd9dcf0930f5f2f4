import { describe, expect, it } from 'vitest';
import { deployment } from '../kinds/apps/deployment.js';
import { pod } from '../kinds/core/pod.js';
import { service } from '../kinds/core/service.js';
import type { KubeObject } from '../types/meta.js';
import { DEDUCED, describePath, fieldsOf, fromFieldsV1, key, toFieldsV1 } from './field-set.js';
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

  it('drops, keeps and finds the right items of long lists, however many are removed', () => {
    // Long lists are looked up through an index kept across removals: every item must still be found where it is.
    const env = (names: number[]) => names.map((i) => ({ name: `E${i}`, value: `v${i}` }));
    const all = Array.from({ length: 300 }, (_, i) => i);
    const first = applyConfiguration(undefined, deploy(containers({ name: 'c', image: 'x', env: env(all) })), shape, true, w('alice'), false);
    let live: KubeObject = { ...first.object, metadata: { ...first.object.metadata, managedFields: first.managedFields } };
    // bob shares every tenth item; alice then stops sending every odd one and every tenth.
    const shared = all.filter((i) => i % 10 === 0);
    const bob = applyConfiguration(live, deploy(containers({ name: 'c', env: env(shared) })), shape, true, w('bob'), false);
    live = { ...bob.object, metadata: { ...bob.object.metadata, managedFields: bob.managedFields } };
    const kept = all.filter((i) => i % 2 === 0 && i % 10 !== 0);
    const next = applyConfiguration(live, deploy(containers({ name: 'c', image: 'x', env: env(kept) })), shape, true, w('alice'), false);
    const names = ((next.object.spec as any).template.spec.containers[0].env as Array<{ name: string; value: string }>).map((e) => e.name);
    expect(names).toEqual(all.filter((i) => i % 2 === 0).map((i) => `E${i}`));
    // A changed value of a shared item, deep in the list, is a conflict with bob for that item only.
    const changed = env(kept.concat(shared)).map((e) => (e.name === 'E290' ? { ...e, value: 'other' } : e));
    expect(() => applyConfiguration({ ...next.object, metadata: { ...next.object.metadata, managedFields: next.managedFields } }, deploy(containers({ name: 'c', image: 'x', env: changed })), shape, true, w('alice'), false)).toThrow(
      'Apply failed with 1 conflict: conflict with "bob" using apps/v1: .spec.template.spec.containers[name="c"].env[name="E290"].value',
    );
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

describe('what an Update owns, as Kubernetes compares Go objects', () => {
  it("gives `kubectl create deployment`'s entry exactly what a real cluster shows", () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx', labels: { app: 'nginx' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } }, strategy: {} },
      status: {},
    };
    deployment.defaults!(d);
    const [entry] = recordUpdate(undefined, d, shape, true, w('kubectl-create'));
    // Maps and pointers the object did not have are owned themselves (`.`); structs Go holds by
    // value (spec, strategy, template) and non-omitempty lists (containers) are not; a label
    // selector is owned whole.
    expect(entry!.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:progressDeadlineSeconds': {},
        'f:replicas': {},
        'f:revisionHistoryLimit': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:resources': {}, 'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {} },
            },
            'f:dnsPolicy': {},
            'f:restartPolicy': {},
            'f:schedulerName': {},
            'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
          },
        },
      },
    });
  });

  it("gives `kubectl expose`'s Service entry what a real cluster shows: ports by port and protocol, the selector whole", () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec: { ports: [{ port: 80, targetPort: 80 }], selector: { app: 'nginx' } } };
    service.defaults!(svc);
    const [entry] = recordUpdate(undefined, svc, shapeOfKind(service), true, { manager: 'kubectl-expose', apiVersion: 'v1', now: 't' });
    expect(entry!.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:internalTrafficPolicy': {},
        'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
        'f:selector': {},
        'f:sessionAffinity': {},
        'f:type': {},
      },
    });
  });

  it('owns an added map, list or pointer itself, and what is added inside a new list item', () => {
    const podShape = shapeOfKind(pod);
    const base: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'a', resources: {} }] } };
    const created = recordUpdate(undefined, base, podShape, true, { manager: 'a', apiVersion: 'v1', now: 't' });
    const live: KubeObject = { ...base, metadata: { ...base.metadata, managedFields: created } };
    const next: KubeObject = {
      ...base,
      metadata: { name: 'p', labels: { x: '1' } },
      spec: {
        containers: [
          { name: 'c', image: 'a', resources: { limits: { cpu: '1' } } },
          { name: 'd', image: 'b', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
        ],
      },
    };
    const entries = recordUpdate(live, next, podShape, true, { manager: 'b', apiVersion: 'v1', now: 't' });
    expect(entries.find((e) => e.manager === 'b')!.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } },
      'f:spec': {
        'f:containers': {
          // resources is a struct held by value: there before, so only its new map is owned whole.
          'k:{"name":"c"}': { 'f:resources': { 'f:limits': { '.': {}, 'f:cpu': {} } } },
          'k:{"name":"d"}': {
            '.': {},
            'f:env': { '.': {}, 'k:{"name":"N"}': { '.': {}, 'f:name': {}, 'f:valueFrom': { '.': {}, 'f:fieldRef': {} } } },
            'f:image': {},
            'f:name': {},
            'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
          },
        },
      },
    });
    // Taking the labels away takes the map itself from its owner too.
    const labelled: KubeObject = { ...next, metadata: { ...next.metadata, managedFields: entries } };
    const unlabelled = recordUpdate(labelled, { ...next, metadata: { name: 'p' } }, podShape, true, { manager: 'c', apiVersion: 'v1', now: 't' });
    expect(unlabelled.find((e) => e.manager === 'b')!.fieldsV1['f:metadata']).toBeUndefined();
  });

  it('keeps a map an applier took over from an Update while it still applies something in it', () => {
    // kubectl moves client-side apply's Update entry, `.` of the data map included, to its Apply entry.
    const cmShape = DEDUCED;
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    const [csa] = recordUpdate(undefined, cm, cmShape, false, { manager: 'kubectl', apiVersion: 'v1', now: 't' });
    expect(csa!.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } });
    const live: KubeObject = { ...cm, metadata: { ...cm.metadata, managedFields: [{ ...csa!, operation: 'Apply' }] } };
    const applied = applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }, cmShape, false, { manager: 'kubectl', apiVersion: 'v1', now: 't' }, false);
    expect((applied.object as any).data).toEqual({ a: '1' });
  });

  it('merges an applied port without a protocol into the TCP port it names', () => {
    const podShape = shapeOfKind(pod);
    const config = (image: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image, ports: [{ containerPort: 80 }] }] } });
    const first = applyConfiguration(undefined, config('a'), podShape, true, { manager: 'alice', apiVersion: 'v1', now: 't' }, false);
    // The server defaults the protocol after the apply.
    const stored = structuredClone(first.object) as any;
    stored.spec.containers[0].ports[0].protocol = 'TCP';
    stored.metadata.managedFields = first.managedFields;
    expect(first.managedFields[0]!.fieldsV1['f:spec']).toMatchObject({ 'f:containers': { 'k:{"name":"c"}': { 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } } } });
    const again = applyConfiguration(stored, config('b'), podShape, true, { manager: 'alice', apiVersion: 'v1', now: 't' }, false);
    expect((again.object.spec as any).containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('records hostile writes without recursion, prototype changes or a crash', () => {
    const podShape = shapeOfKind(pod);
    // As deep as a request may nest (the decoder refuses deeper).
    let deep: unknown = 'leaf';
    for (let i = 0; i < 9_990; i++) deep = { d: deep };
    const hostile = JSON.parse(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"__proto__":"x"}},"spec":{"__proto__":{"polluted":1},"nodeSelector":{"__proto__":"y"},' +
        '"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":{"__proto__":1}},{"containerPort":80}]}],"affinity":null}}',
    ) as KubeObject;
    (hostile.spec as any).securityContext = { deep };
    const w0 = { manager: 'm', apiVersion: 'v1', now: 't' };
    const created = recordUpdate(undefined, hostile, podShape, true, w0);
    expect(Object.keys((created[0]!.fieldsV1['f:metadata'] as any)['f:labels'])).toEqual(['.', 'f:__proto__']);
    const live = { ...hostile, metadata: { ...hostile.metadata, managedFields: created } };
    const next = { ...hostile, spec: { ...hostile.spec, securityContext: null, tolerations: JSON.parse('[{"__proto__":2}]') } } as KubeObject;
    (next.spec as any).initContainers = [{ name: 'i', env: [{ name: 'e', valueFrom: { deep } }] }];
    expect(() => recordUpdate(live, next, podShape, true, { ...w0, manager: 'n' })).not.toThrow();
    expect(() => applyConfiguration(live, next, podShape, true, { ...w0, manager: 'a' }, true)).not.toThrow();
    expect(({} as any).polluted).toBeUndefined();
    // Owning every node of it would cost depth^2 in path strings: only the top 500 are members.
    const members = fieldsOf(deep, DEDUCED, [], new Set(), true);
    expect(members.size).toBe(501);
  });

  it("owns a custom resource's added objects themselves: there is no Go type to hold them by value", () => {
    const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } }, spec: { size: 1, parts: { left: 'x' } } };
    const [entry] = recordUpdate(undefined, cr, DEDUCED, false, { manager: 'kubectl-create', apiVersion: 'example.com/v1', now: 't' });
    expect(entry!.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { '.': {}, 'f:parts': { '.': {}, 'f:left': {} }, 'f:size': {} } });
  });
});
