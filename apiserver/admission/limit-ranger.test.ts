import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../api/defaults.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { applyContainerDefaults, checkLimitRanges } from './limit-ranger.js';

function range(limits: unknown[]): KubeObject {
  const r: KubeObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'ns' }, spec: { limits } };
  applyDefaults(r);
  return r;
}
const pod = (containers: Array<Record<string, unknown>>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers } });
const refusal = (fn: () => void): string => {
  try {
    fn();
  } catch (err) {
    expect((err as StatusError).code).toBe(403);
    return (err as StatusError).message;
  }
  throw new Error('expected a refusal');
};

describe('LimitRanger', () => {
  it('defaults a LimitRange as Kubernetes does: limit from max, request from the default limit, else from min', () => {
    const r = range([{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }]);
    expect(r.spec.limits[0]).toMatchObject({ default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
  });

  it('gives containers the requests and limits they leave out, and says so on the pod', () => {
    const p = pod([{ name: 'a', image: 'x' }, { name: 'b', image: 'x', resources: { requests: { cpu: '100m' } } }]);
    applyContainerDefaults(p, [range([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '250m', memory: '128Mi' } }])]);
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '128Mi' } });
    expect(p.spec.containers[1].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(p.metadata.annotations!['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; memory request for container b; cpu, memory limit for container b');
  });

  it('refuses containers and pods outside min, max and the limit-to-request ratio, with every reason', () => {
    const ranges = [range([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '2' } }])];
    expect(refusal(() => checkLimitRanges('Pod', pod([{ name: 'a', resources: { requests: { cpu: '50m' }, limits: { cpu: '2' } } }]), ranges))).toBe(
      'pods "p" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 2, but provided ratio is 40.000000]',
    );
    expect(refusal(() => checkLimitRanges('Pod', pod([{ name: 'a', resources: { requests: { cpu: '200m' } } }]), ranges))).toBe(
      'pods "p" is forbidden: [maximum cpu usage per Container is 1.  No limit is specified, cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0]',
    );
    expect(() => checkLimitRanges('Pod', pod([{ name: 'a', resources: { requests: { cpu: '500m' }, limits: { cpu: '1' } } }]), ranges)).not.toThrow();
    const perPod = [range([{ type: 'Pod', max: { memory: '1Gi' } }])];
    const two = pod([{ name: 'a', resources: { limits: { memory: '600Mi' } } }, { name: 'b', resources: { limits: { memory: '600Mi' } } }]);
    expect(refusal(() => checkLimitRanges('Pod', two, perPod))).toBe('pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi');
    // A sidecar runs beside the regular container, so it adds to the pod's total.
    const withSidecar = pod([{ name: 'a', resources: { limits: { memory: '600Mi' } } }]);
    withSidecar.spec.initContainers = [{ name: 's', restartPolicy: 'Always', resources: { limits: { memory: '600Mi' } } }];
    expect(refusal(() => checkLimitRanges('Pod', withSidecar, perPod))).toBe('pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi');
    withSidecar.spec.initContainers[0].restartPolicy = undefined;
    expect(() => checkLimitRanges('Pod', withSidecar, perPod)).not.toThrow();
  });

  it('bounds a claim\'s storage request', () => {
    const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'ns' }, spec: { resources: { requests: { storage: '500Mi' } } } };
    expect(refusal(() => checkLimitRanges('PersistentVolumeClaim', claim, [range([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' } }])]))).toBe(
      'persistentvolumeclaims "c" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
  });
});
