import { describe, expect, it } from 'vitest';
import { CONTROLLERS, DISABLED_BY_DEFAULT, selectControllers } from './index.js';

describe('--controllers', () => {
  it('takes *, names and -names as kube-controller-manager does', () => {
    expect(selectControllers('*').sort()).toEqual(Object.keys(CONTROLLERS).filter((n) => !DISABLED_BY_DEFAULT.has(n)).sort());
    // The bootstrap signer and token cleaner only when named, as kubeadm names them.
    expect(selectControllers('*')).not.toContain('tokencleaner');
    expect(selectControllers('*,bootstrapsigner,tokencleaner')).toEqual(expect.arrayContaining(['bootstrapsigner', 'tokencleaner', 'deployment']));
    expect(selectControllers('*,-garbagecollector')).not.toContain('garbagecollector');
    expect(selectControllers('-garbagecollector,*')).not.toContain('garbagecollector');
    expect(selectControllers('deployment,replicaset')).toEqual(['deployment', 'replicaset']);
    expect(() => selectControllers('nope')).toThrow('unknown controller "nope"');
  });
});
