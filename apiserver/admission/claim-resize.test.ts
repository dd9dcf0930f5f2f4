import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { admitClaimResize } from './claim-resize.js';

const claim = (storage: string, phase = 'Bound', storageClassName = 'fast'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app' }, spec: { storageClassName, resources: { requests: { storage } } }, status: { phase } }) as KubeObject;
const classes: Record<string, KubeObject> = {
  fast: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, allowVolumeExpansion: true } as KubeObject,
  fixed: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fixed' } } as KubeObject,
};
const refusal = (next: KubeObject, old: KubeObject) => {
  try {
    admitClaimResize(next, old, (n) => classes[n]);
  } catch (err) {
    return [(err as StatusError).code, (err as StatusError).message];
  }
  return undefined;
};

describe('PersistentVolumeClaimResize', () => {
  it('lets a bound claim grow only when its class allows expansion', () => {
    expect(refusal(claim('2Gi'), claim('1Gi'))).toBeUndefined();
    expect(refusal(claim('1Gi'), claim('2Gi'))).toBeUndefined(); // shrinking is validation's to refuse
    expect(refusal(claim('2Gi', 'Bound', 'fixed'), claim('1Gi', 'Bound', 'fixed'))).toEqual([
      403,
      'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    ]);
    expect(refusal(claim('2Gi', 'Bound', 'gone'), claim('1Gi', 'Bound', 'gone'))?.[0]).toBe(403);
    expect(refusal(claim('2Gi', 'Pending'), claim('1Gi', 'Pending'))).toEqual([403, 'persistentvolumeclaims "data" is forbidden: Only bound persistent volume claims can be expanded']);
  });
});
