// A cached object that keeps only its bytes answers every question it answered when it kept
// its parsed form too: the same object (without managedFields), the same labels and selectable
// fields, and the whole object with managedFields from full().
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { CachedObject, encodeObject, storedJSON } from './cached-object.js';

const pod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'default',
    labels: { app: 'web', tier: 'front' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }],
  },
  spec: { nodeName: 'node-7', containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running' },
});

describe('CachedObject, bytes only', () => {
  it('answers as the parsed one did, and parses again only what it is asked for', () => {
    const kept = new CachedObject('/registry/pods/default/web-1', 42, pod()).compact(true);
    const lean = new CachedObject('/registry/pods/default/web-1', 42, pod()).compact(false);
    expect(lean.obj).toEqual(kept.obj);
    expect(lean.obj.metadata.managedFields).toBeUndefined();
    expect(lean.full()).toEqual(kept.full());
    expect(lean.full().metadata.managedFields).toHaveLength(1);
    expect(lean.labels()).toEqual({ app: 'web', tier: 'front' });
    expect(lean.bytes().equals(kept.bytes())).toBe(true);
    expect(lean.name).toBe('web-1');
    expect(lean.namespace).toBe('default');
  });

  it('computes selectable fields once per rule set, and again for another', () => {
    const lean = new CachedObject('/registry/pods/default/web-1', 42, pod()).compact(false);
    let calls = 0;
    const rules = {};
    const compute = (o: KubeObject) => {
      calls++;
      return { 'spec.nodeName': String(o.spec.nodeName) };
    };
    expect(lean.selectableFields(rules, compute)).toEqual({ 'spec.nodeName': 'node-7' });
    expect(lean.selectableFields(rules, compute)).toEqual({ 'spec.nodeName': 'node-7' });
    expect(calls).toBe(1);
    lean.selectableFields({}, compute);
    expect(calls).toBe(2);
  });

  it('a deletion stamped at a later revision keeps the same form', () => {
    const lean = new CachedObject('/registry/pods/default/web-1', 42, pod()).compact(false);
    const gone = lean.atRevision(50);
    expect(gone.rev).toBe(50);
    expect(gone.obj.metadata.resourceVersion).toBe('50');
    expect(gone.labels()).toEqual({ app: 'web', tier: 'front' });
    expect(gone.full().metadata.managedFields).toHaveLength(1);
  });
});

describe('CachedObject.written', () => {
  it('is the stored JSON with the revision as resourceVersion, byte for byte what encoding the object gives', () => {
    const objects: KubeObject[] = [
      pod(),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ünïcode-✓', annotations: { note: 'naïve — 日本語 🙂' } }, data: { k: 'é' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: {} },
    ];
    for (const obj of objects) {
      const stored = storedJSON(obj);
      expect(JSON.parse(stored.value.toString()).metadata.resourceVersion).toBeUndefined();
      const o = CachedObject.written('/k', 1234, structuredClone(obj), stored);
      const expected = encodeObject({ ...obj, metadata: { ...obj.metadata, resourceVersion: '1234' } });
      expect(o.bytes().toString()).toBe(expected.bytes.toString());
      expect(JSON.parse(o.metadataBytes().toString())).toEqual({ ...obj.metadata, resourceVersion: '1234' });
      expect(o.obj.metadata.resourceVersion).toBe('1234');
    }
  });
});

describe('CachedObject.jsonLine', () => {
  it('is the JSON and a newline, as Kubernetes ends a body, whichever way the bytes were made', () => {
    const obj = pod();
    const made = [
      CachedObject.written('/k', 7, structuredClone(obj), storedJSON(obj)),
      new CachedObject('/k', 7, { ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), resourceVersion: '7' } }),
      CachedObject.fromKV({ key: '/k', value: storedJSON(obj).value, modRevision: 7, createRevision: 7 }),
    ];
    for (const o of made) {
      const line = o.jsonLine();
      expect(line.toString()).toBe(`${o.bytes().toString()}\n`);
      // A second answer is the same, and the object's bytes did not change under it.
      expect(o.jsonLine().equals(line)).toBe(true);
      expect(JSON.parse(o.bytes().toString()).metadata.resourceVersion).toBe('7');
    }
  });

  it('a copy of bytes that were not made here still ends with one newline', () => {
    const o = new CachedObject('/k', 7, pod());
    const shared = Buffer.from(o.bytes().toString());
    (o as unknown as { encodedBytes: Buffer }).encodedBytes = shared;
    expect(o.jsonLine().toString()).toBe(`${shared.toString()}\n`);
  });
});
