import { describe, expect, it } from 'vitest';
import { CONTROLLERS, selectControllers } from './index.js';

describe('--controllers', () => {
  it('takes *, names and -names as kube-controller-manager does', () => {
    expect(selectControllers('*').sort()).toEqual(Object.keys(CONTROLLERS).sort());
    expect(selectControllers('*,-garbagecollector')).not.toContain('garbagecollector');
    expect(selectControllers('-garbagecollector,*')).not.toContain('garbagecollector');
    expect(selectControllers('deployment,replicaset')).toEqual(['deployment', 'replicaset']);
    expect(() => selectControllers('nope')).toThrow('unknown controller "nope"');
  });
});
