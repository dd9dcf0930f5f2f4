import { describe, expect, it } from 'vitest';
import { aggregateContainers, isSidecar } from './pod-resources.js';

type C = { name: string; cpu: number; restartPolicy?: string };
const cpu = (c: C) => new Map([['cpu', c.cpu]]);
const total = (spec: { containers?: C[]; initContainers?: C[] }) => aggregateContainers(spec, cpu).get('cpu') ?? 0;

describe('aggregateContainers', () => {
  it('sums regular containers, or takes the largest classic init container when it is more', () => {
    expect(total({ containers: [{ name: 'a', cpu: 1 }, { name: 'b', cpu: 2 }] })).toBe(3);
    expect(total({ containers: [{ name: 'a', cpu: 1 }], initContainers: [{ name: 'i', cpu: 5 }, { name: 'j', cpu: 2 }] })).toBe(5);
    expect(total({ containers: [{ name: 'a', cpu: 6 }], initContainers: [{ name: 'i', cpu: 5 }] })).toBe(6);
  });

  it('counts a sidecar beside the regular containers and beside every init container after it', () => {
    const sidecar = { name: 's', cpu: 2, restartPolicy: 'Always' };
    // Regular 1 + sidecar 2 = 3.
    expect(total({ containers: [{ name: 'a', cpu: 1 }], initContainers: [sidecar] })).toBe(3);
    // The init container after the sidecar runs beside it: 4 + 2 = 6 > 1 + 2.
    expect(total({ containers: [{ name: 'a', cpu: 1 }], initContainers: [sidecar, { name: 'i', cpu: 4 }] })).toBe(6);
    // One before it does not: max(4, 1 + 2) = 4.
    expect(total({ containers: [{ name: 'a', cpu: 1 }], initContainers: [{ name: 'i', cpu: 4 }, sidecar] })).toBe(4);
    // Two sidecars and an init container between them: max(2 + 3, 1 + 2 + 1) = 5.
    expect(total({ containers: [{ name: 'a', cpu: 1 }], initContainers: [sidecar, { name: 'i', cpu: 3 }, { ...sidecar, name: 't', cpu: 1 }] })).toBe(5);
  });

  it('tells sidecars by restartPolicy Always only', () => {
    expect(isSidecar({ restartPolicy: 'Always' })).toBe(true);
    expect(isSidecar({ restartPolicy: 'Never' })).toBe(false);
    expect(isSidecar({})).toBe(false);
    expect(isSidecar(undefined)).toBe(false);
  });
});
