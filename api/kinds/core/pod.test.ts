import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../defaults.js';
import type { KubeObject } from '../../types/meta.js';
import { validateUpdate } from '../../validation/kinds.js';
import { invalidCauses } from '../../validation/invalid-causes.js';

const target = { apiVersion: 'v1', kind: 'Pod', group: '', namespaced: true };
const pod = (activeDeadlineSeconds?: number): KubeObject => {
  const p: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', resourceVersion: '1' },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...(activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds } : {}) },
  };
  applyDefaults(p);
  return p;
};

describe('pod updates of activeDeadlineSeconds', () => {
  it('may set a deadline or shorten it', () => {
    expect(invalidCauses(() => validateUpdate(target, pod(30), pod()))).toEqual([]);
    expect(invalidCauses(() => validateUpdate(target, pod(5), pod(30)))).toEqual([]);
  });

  it('may not lengthen it or take it away', () => {
    expect(invalidCauses(() => validateUpdate(target, pod(60), pod(30)))).toEqual(['spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value']);
    expect(invalidCauses(() => validateUpdate(target, pod(), pod(30)))).toEqual(['spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value']);
  });
});

describe('pod updates of scheduling gates', () => {
  const gated = (spec: Record<string, unknown>): KubeObject => {
    const p = pod();
    Object.assign(p.spec!, spec);
    return p;
  };
  const term = (...keys: string[]) => ({ matchExpressions: keys.map((key) => ({ key, operator: 'Exists' })) });
  const required = (...terms: object[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

  it('lets gates go, never come', () => {
    expect(invalidCauses(() => validateUpdate(target, gated({ schedulingGates: [{ name: 'a' }] }), gated({ schedulingGates: [{ name: 'a' }, { name: 'b' }] })))).toEqual([]);
    expect(invalidCauses(() => validateUpdate(target, gated({}), gated({ schedulingGates: [{ name: 'a' }] })))).toEqual([]);
    expect(invalidCauses(() => validateUpdate(target, gated({ schedulingGates: [{ name: 'a' }, { name: 'b' }] }), gated({ schedulingGates: [{ name: 'a' }] })))).toEqual([
      "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'b'",
    ]);
  });

  it('lets a gated pod narrow where it may run, and no other pod', () => {
    const before = { schedulingGates: [{ name: 'a' }], nodeSelector: { disk: 'ssd' }, ...required(term('zone')) };
    expect(invalidCauses(() => validateUpdate(target, gated({ ...before, nodeSelector: { disk: 'ssd', pool: 'batch' }, ...required(term('zone', 'rack')) }), gated(before)))).toEqual([]);
    expect(invalidCauses(() => validateUpdate(target, gated({ ...before, nodeSelector: { disk: 'hdd' } }), gated(before)))).toEqual([
      'spec.nodeSelector: Invalid value: {"disk":"hdd"}: only additions to spec.nodeSelector are allowed (no mutations or deletions)',
    ]);
    expect(invalidCauses(() => validateUpdate(target, gated({ ...before, ...required(term('rack')) }), gated(before)))[0]).toMatch(/nodeSelectorTerms\[0\]: Invalid value: .*only additions are allowed \(no mutations or deletions\)$/);
    expect(invalidCauses(() => validateUpdate(target, gated({ ...before, ...required(term('zone'), term('rack')) }), gated(before)))[0]).toMatch(/no additions\/deletions to non-empty NodeSelectorTerms list are allowed$/);
    // Ungated, the node selector is as fixed as the rest of the spec.
    expect(invalidCauses(() => validateUpdate(target, gated({ nodeSelector: { disk: 'ssd', pool: 'batch' } }), gated({ nodeSelector: { disk: 'ssd' } })))[0]).toMatch(/^spec: Forbidden: pod updates may not change fields other than/);
  });
});
