import { describe, expect, it } from 'vitest';
import { mergeTolerations } from '../../api/tolerations.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import { admitPodRuntimeClass, validatePodRuntimeClass } from './runtime-class.js';

const classes: Record<string, KubeObject> = {
  gvisor: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc', overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { sandbox: 'gvisor' }, tolerations: [{ key: 'sandbox', operator: 'Exists' }] } } as KubeObject,
  plain: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'plain' }, handler: 'runc' } as KubeObject,
};
const lookup = (name: string) => classes[name];
const pod = (spec: Record<string, unknown>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } }) as unknown as Pod;

describe('the RuntimeClass admission plugin', () => {
  it('sets the class overhead and merges its node selector and tolerations', () => {
    const p = pod({ runtimeClassName: 'gvisor', nodeSelector: { zone: 'a' }, tolerations: [{ key: 'sandbox', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] });
    admitPodRuntimeClass(p, lookup);
    expect(p.spec).toMatchObject({ overhead: { cpu: '250m', memory: '64Mi' }, nodeSelector: { zone: 'a', sandbox: 'gvisor' }, tolerations: [{ key: 'sandbox', operator: 'Exists' }] });
    expect(() => validatePodRuntimeClass(p, lookup)).not.toThrow();
  });

  it('keeps an overhead equal to the class\'s, refuses another, a conflicting selector, a missing class and an overhead without one', () => {
    const same = pod({ runtimeClassName: 'gvisor', overhead: { cpu: '0.25', memory: '64Mi' } });
    expect(() => admitPodRuntimeClass(same, lookup)).not.toThrow();
    expect(() => admitPodRuntimeClass(pod({ runtimeClassName: 'gvisor', overhead: { cpu: '1' } }), lookup)).toThrow("pods \"p\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    expect(() => admitPodRuntimeClass(pod({ runtimeClassName: 'gvisor', nodeSelector: { sandbox: 'kata' } }), lookup)).toThrow('conflict: runtimeClass.scheduling.nodeSelector[sandbox] = gvisor; pod.spec.nodeSelector[sandbox] = kata');
    expect(() => admitPodRuntimeClass(pod({ runtimeClassName: 'nope' }), lookup)).toThrow('pod rejected: RuntimeClass "nope" not found');
    expect(() => validatePodRuntimeClass(pod({ overhead: { cpu: '1' } }), lookup)).toThrow('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    expect(() => validatePodRuntimeClass(pod({ runtimeClassName: 'plain', overhead: { cpu: '1' } }), lookup)).toThrow('Pod Overhead set without corresponding RuntimeClass defined Overhead');
    // A webhook that took the overhead away after the plugin set it.
    expect(() => validatePodRuntimeClass(pod({ runtimeClassName: 'gvisor' }), lookup)).toThrow("Pod's Overhead doesn't match");
  });

  it('merges tolerations without the ones another already covers', () => {
    expect(mergeTolerations([{ key: 'a', operator: 'Equal', value: '1' }], [{ key: 'a', operator: 'Exists' }])).toEqual([{ key: 'a', operator: 'Exists' }]);
    expect(mergeTolerations([{ operator: 'Exists' }], [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }])).toEqual([{ operator: 'Exists' }]);
    expect(mergeTolerations([{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], [{ key: 'a', operator: 'Exists', effect: 'NoExecute' }])).toHaveLength(2);
    expect(mergeTolerations([{ key: 'a', operator: 'Exists' }], [{ key: 'a', operator: 'Exists' }])).toEqual([{ key: 'a', operator: 'Exists' }]);
    // A NoExecute toleration for a while covers the shorter ones, not a longer or unbounded one.
    expect(mergeTolerations([{ key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }], [{ key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }])).toEqual([{ key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
    expect(mergeTolerations([{ key: 'n', operator: 'Exists', effect: 'NoExecute' }], [{ key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }])).toEqual([{ key: 'n', operator: 'Exists', effect: 'NoExecute' }]);
  });
});
