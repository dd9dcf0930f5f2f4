import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { findResource } from '../api/resources.js';
import type { KubeObject } from '../api/types/meta.js';
import { FakeClient } from './fake-client.js';
import { Informer } from './informer.js';

const pods = findResource('', 'v1', 'pods')!;
// V8's own answer to "is this object in dictionary mode?", which deleting a property causes.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
const decoded = (): KubeObject =>
  JSON.parse(
    '{"metadata":{"name":"p","namespace":"ns","uid":"u1","managedFields":[{"manager":"m","operation":"Update"}],"resourceVersion":"7","__proto__":{"polluted":"yes"}},"spec":{"nodeName":"n1"}}',
  );

describe('Informer', () => {
  it('keeps objects without their managedFields, every other field as it came and in its order', () => {
    const informer = new Informer(new FakeClient(), pods);
    informer.replace([decoded()], '7');
    const held = informer.get('ns/p')!;
    expect(held.metadata.managedFields).toBeUndefined();
    expect(Object.keys(held.metadata)).toEqual(['name', 'namespace', 'uid', 'resourceVersion', '__proto__']);
    expect(held.spec).toEqual({ nodeName: 'n1' });
    // A plain object, not a dictionary: a third of the memory for each of the thousands held.
    expect(hasFastProperties(held.metadata)).toBe(true);
    // A decoded "__proto__" key stays an ordinary key: it neither sets a prototype nor pollutes Object.prototype.
    expect(Object.getPrototypeOf(held.metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(held.metadata, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps managedFields when asked to', () => {
    const informer = new Informer(new FakeClient(), pods, { keepManagedFields: true });
    informer.replace([decoded()], '7');
    expect(informer.get('ns/p')!.metadata.managedFields).toEqual([{ manager: 'm', operation: 'Update' }]);
  });
});
