import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../defaults.js';
import type { KubeObject } from '../../types/meta.js';
import { validateCreate, validateUpdate } from '../../validation/kinds.js';
import { persistentVolume } from '../core/persistentvolume.js';
import { resourceQuota } from '../core/resourcequota.js';
import { storageClass } from './storageclass.js';
import { invalidCauses } from '../../validation/invalid-causes.js';

const target = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', group: 'storage.k8s.io', namespaced: false };
const sc = (extra: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'fast', ...(annotations ? { annotations } : {}) },
  provisioner: 'example.com/disk',
  ...extra,
});

const cells = (columns: typeof storageClass.columns, o: KubeObject) => Object.fromEntries((columns ?? []).map((c) => [c.name, c.cell(o, Date.parse('2026-01-01T00:00:00Z'))]));

describe('StorageClass', () => {
  it('defaults the reclaim policy and binding mode, and marks the default class in its name column', () => {
    const o = sc({}, { 'storageclass.kubernetes.io/is-default-class': 'true' });
    applyDefaults(o);
    expect([o.reclaimPolicy, o.volumeBindingMode]).toEqual(['Delete', 'Immediate']);
    expect(cells(storageClass.columns, o)).toMatchObject({ Name: 'fast (default)', Provisioner: 'example.com/disk', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: 'false' });
  });

  it('refuses unknown policies and modes and a provisioner that is not a qualified name', () => {
    const found = invalidCauses(() => validateCreate(target, sc({ provisioner: 'no spaces/allowed here', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' })));
    // The prefix and the name part are each refused, as Kubernetes does.
    expect(found.filter((c) => c.startsWith('provisioner: Invalid value: "no spaces/allowed here"'))).toHaveLength(2);
    expect(found.filter((c) => !c.startsWith('provisioner'))).toEqual([
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
  });

  it('keeps provisioner, parameters and reclaim policy as they were created', () => {
    const prev = sc({ parameters: { type: 'ssd' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    const next = sc({ provisioner: 'example.com/other', parameters: { type: 'hdd' }, reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate' });
    expect(invalidCauses(() => validateUpdate(target, next, prev))).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    ]);
  });
});

describe('columns kubectl shows for volumes and quotas', () => {
  it('shows a volume\'s short access modes, claim and class', () => {
    const pv: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1', creationTimestamp: '2025-12-31T23:00:00Z' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'data' }, storageClassName: 'fast' },
      status: { phase: 'Bound' },
    };
    expect(cells(persistentVolume.columns, pv)).toMatchObject({ Capacity: '1Gi', 'Access Modes': 'RWO,ROX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'ns/data', StorageClass: 'fast', VolumeAttributesClass: '<unset>' });
  });

  it('shows a quota\'s requests and limits as used/hard, sorted', () => {
    const quota: KubeObject = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'ns' },
      spec: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi' } },
      status: { used: { pods: '3', 'limits.memory': '512Mi' } },
    };
    expect(cells(resourceQuota.columns, quota)).toMatchObject({ Request: 'pods: 3/10, requests.cpu: 0/2', Limit: 'limits.memory: 512Mi/1Gi' });
  });
});
