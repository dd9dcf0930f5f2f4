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
