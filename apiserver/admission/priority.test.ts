import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import { admitPodPriority, keepPodPriority } from './priority.js';

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra }) as KubeObject;
const source = (classes: KubeObject[]) => ({ byName: (n: string) => classes.find((c) => c.metadata.name === n), all: () => classes });
const pod = (spec: Record<string, unknown> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], ...spec } }) as unknown as Pod;

describe('the Priority admission plugin', () => {
  it('takes the default class with the lowest value when several claim to be the default, and 0 when none does', () => {
    const p = pod();
    admitPodPriority(p, source([pc('b', 20, { globalDefault: true }), pc('a', 10, { globalDefault: true, preemptionPolicy: 'Never' }), pc('c', 5)]));
    expect(p.spec).toMatchObject({ priorityClassName: 'a', priority: 10, preemptionPolicy: 'Never' });
    const q = pod();
    admitPodPriority(q, source([pc('c', 5)]));
    expect(q.spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
    expect((q.spec as { priorityClassName?: string }).priorityClassName).toBeUndefined();
  });

  it('refuses a preemption policy other than the class\'s, and keeps on update what it set at creation', () => {
    expect(() => admitPodPriority(pod({ priorityClassName: 'c', preemptionPolicy: 'Never' }), source([pc('c', 5)]))).toThrow('the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name');
    const next = pod();
    keepPodPriority(next, pod({ priority: 5, preemptionPolicy: 'Never' }));
    expect(next.spec).toMatchObject({ priority: 5, preemptionPolicy: 'Never' });
  });
});

describe('keepPodPriority on a pod update without a spec', () => {
  it('leaves it to validation instead of failing', () => {
    const next = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } as unknown as Parameters<typeof keepPodPriority>[0];
    expect(() => keepPodPriority(next, { ...next, spec: { containers: [], priority: 5 } } as Parameters<typeof keepPodPriority>[1])).not.toThrow();
  });
});
