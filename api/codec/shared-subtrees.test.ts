import { describe, expect, it } from 'vitest';
import { SubtreeSharer } from './shared-subtrees.js';

const pod = (name: string, node: string, started: string) =>
  JSON.parse(
    JSON.stringify({
      metadata: { name, labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1', controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m' } } }], tolerations: [{ key: 'a', operator: 'Exists' }] },
      status: { phase: 'Running', startTime: started, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: started }] },
    }),
  );

describe('SubtreeSharer', () => {
  it('shares the parts a family repeats, and keeps what differs', () => {
    const sharer = new SubtreeSharer();
    const a = sharer.share(pod('a', 'n1', 't1'), 'rs-1');
    const b = sharer.share(pod('b', 'n2', 't1'), 'rs-1');
    expect(b.metadata.labels).toBe(a.metadata.labels);
    expect(b.metadata.ownerReferences).toBe(a.metadata.ownerReferences);
    expect(b.spec.containers).toBe(a.spec.containers);
    expect(b.spec.tolerations).toBe(a.spec.tolerations);
    expect(b.status.conditions).toBe(a.status.conditions);
    expect(b.spec).not.toBe(a.spec);
    expect([b.metadata.name, b.spec.nodeName, a.metadata.name, a.spec.nodeName]).toEqual(['b', 'n2', 'a', 'n1']);
    // What is shared is frozen all the way down; what is a pod's own is not.
    expect(Object.isFrozen(a.spec.containers[0].resources.requests)).toBe(true);
    expect(Object.isFrozen(b.spec)).toBe(false);
    expect(() => {
      'use strict';
      b.spec.containers[0].image = 'changed';
    }).toThrow(TypeError);
  });

  it('compares with the family last seen, and never across families', () => {
    const sharer = new SubtreeSharer();
    const a = sharer.share(pod('a', 'n1', 't1'), 'rs-1');
    const other = sharer.share(pod('x', 'n1', 't1'), 'rs-2');
    expect(other.spec.containers).not.toBe(a.spec.containers);
    const b = sharer.share(pod('b', 'n1', 't2'), 'rs-1');
    const c = sharer.share(pod('c', 'n1', 't2'), 'rs-1');
    expect(c.status.conditions).toBe(b.status.conditions);
    expect(b.status.conditions).not.toBe(a.status.conditions);
    expect(c.spec.containers).toBe(a.spec.containers);
  });

  it('shares elements of lists of different lengths by position, and tells keys apart', () => {
    const sharer = new SubtreeSharer();
    const a = sharer.share({ list: [{ x: 1 }, { y: 2 }], m: { k: 1 } }, 'f');
    const b = sharer.share({ list: [{ x: 1 }], m: { k: 1, extra: true } }, 'f');
    expect(b.list[0]).toBe(a.list[0]);
    expect(b.list).not.toBe(a.list);
    expect(b.m).not.toBe(a.m);
    expect(b.m).toEqual({ k: 1, extra: true });
    const c = sharer.share({ list: [{ x: 1 }, { y: 2 }], m: { j: 1 } }, 'f');
    expect(c.m).toEqual({ j: 1 });
  });

  it('leaves a __proto__ key JSON made as it was, and stops at depth', () => {
    const sharer = new SubtreeSharer();
    const hostile = () => JSON.parse('{"a":{"__proto__":{"polluted":true}},"b":{"c":1}}');
    sharer.share(hostile(), 'f');
    const second = sharer.share(hostile(), 'f');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(second.a, '__proto__')).toBe(true);
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    let deep2: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) deep2 = { d: deep2 };
    sharer.share(deep, 'g');
    expect(() => sharer.share(deep2, 'g')).not.toThrow();
  });

  it('forgets every family once it knows too many', () => {
    const sharer = new SubtreeSharer(2);
    sharer.share({ a: {} }, '1');
    sharer.share({ a: {} }, '2');
    expect(sharer.families).toBe(2);
    sharer.share({ a: {} }, '3');
    expect(sharer.families).toBe(1);
  });
});
