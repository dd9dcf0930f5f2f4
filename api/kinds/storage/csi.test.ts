import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../defaults.js';
import type { KubeObject } from '../../types/meta.js';
import { validateCreate, validateUpdate } from '../../validation/kinds.js';
import { csiDriver } from './csidriver.js';
import { csiNode } from './csinode.js';
import { volumeAttachment } from './volumeattachment.js';
import { invalidCauses } from '../../validation/invalid-causes.js';

const target = (kind: string) => ({ apiVersion: 'storage.k8s.io/v1', kind, group: 'storage.k8s.io', namespaced: false });
const cells = (columns: typeof csiDriver.columns, o: KubeObject) => Object.fromEntries((columns ?? []).map((c) => [c.name, c.cell(o, Date.now())]));

const driver = (spec: Record<string, unknown> = {}, name = 'ebs.csi.aws.com'): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name }, spec });

describe('CSIDriver', () => {
  it('is defaulted as Kubernetes 1.32 defaults it and shows kubectl\'s columns', () => {
    const o = driver({ tokenRequests: [{ audience: 'vault' }, { audience: 'sts.amazonaws.com' }] });
    applyDefaults(o);
    expect(o.spec).toEqual({
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      requiresRepublish: false,
      seLinuxMount: false,
      volumeLifecycleModes: ['Persistent'],
      tokenRequests: [{ audience: 'vault' }, { audience: 'sts.amazonaws.com' }],
    });
    expect(cells(csiDriver.columns, o)).toMatchObject({ Name: 'ebs.csi.aws.com', AttachRequired: true, PodInfoOnMount: false, TokenRequests: 'vault,sts.amazonaws.com', Modes: 'Persistent' });
  });

  it('takes a driver name with capitals, refuses a bad one, unknown modes and policies, short or duplicate tokens', () => {
    const upper = driver({}, 'Example.CSI.Driver');
    applyDefaults(upper);
    expect(invalidCauses(() => validateCreate(target('CSIDriver'), upper))).toEqual([]);
    const bad = driver({ volumeLifecycleModes: ['Forever'], fsGroupPolicy: 'Sometimes', tokenRequests: [{ audience: 'a', expirationSeconds: 60 }, { audience: 'a' }] }, 'no_underscores');
    applyDefaults(bad);
    expect(invalidCauses(() => validateCreate(target('CSIDriver'), bad))).toEqual([
      expect.stringMatching(/^name: Invalid value: "no_underscores": a lowercase RFC 1123 subdomain/),
      'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"',
      'spec.fsGroupPolicy: Unsupported value: "Sometimes": supported values: "None", "ReadWriteOnceWithFSType", "File"',
      'spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      'spec.tokenRequests[1].audience: Duplicate value: "a"',
    ]);
  });

  it('keeps attachRequired and the lifecycle modes, and lets the rest change', () => {
    const before = driver();
    applyDefaults(before);
    const after = driver({ ...before.spec, attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Ephemeral'] });
    expect(invalidCauses(() => validateUpdate(target('CSIDriver'), after, before))).toEqual(['spec.attachRequired: Invalid value: false: field is immutable', 'spec.volumeLifecycleModes: Invalid value: ["Ephemeral"]: field is immutable']);
    expect(invalidCauses(() => validateUpdate(target('CSIDriver'), driver({ ...before.spec, podInfoOnMount: true, requiresRepublish: true }), before))).toEqual([]);
  });
});

describe('CSINode and VolumeAttachment', () => {
  it('checks a CSINode\'s drivers, and lets drivers come and go but not change', () => {
    const node = (drivers: unknown[]): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'node-1' }, spec: { drivers } });
    expect(invalidCauses(() => validateCreate(target('CSINode'), node([{ name: 'a.csi', nodeID: '' }, { name: 'a.csi', nodeID: 'x', allocatable: { count: -1 }, topologyKeys: ['zone', 'zone'] }])))).toEqual([
      'spec.drivers[0].nodeID: Required value',
      'spec.drivers[1].name: Duplicate value: "a.csi"',
      'spec.drivers[1].allocatable.count: Invalid value: -1: must be greater than or equal to 0',
      'spec.drivers[1]: Duplicate value: "zone"',
    ]);
    const one = node([{ name: 'a.csi', nodeID: 'i-1' }]);
    expect(invalidCauses(() => validateUpdate(target('CSINode'), node([{ name: 'a.csi', nodeID: 'i-1' }, { name: 'b.csi', nodeID: 'i-1' }]), one))).toEqual([]);
    expect(invalidCauses(() => validateUpdate(target('CSINode'), node([{ name: 'a.csi', nodeID: 'i-2' }]), one))[0]).toMatch(/^CSINodeDriver: Invalid value: .*field is immutable$/);
    expect(cells(csiNode.columns, one)).toMatchObject({ Name: 'node-1', Drivers: 1 });
  });

  it('needs exactly one source in a VolumeAttachment, whose spec then stays as it was', () => {
    const va = (source: Record<string, unknown>, nodeName = 'node-1'): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: 'csi-123' }, spec: { attacher: 'ebs.csi.aws.com', source, nodeName } });
    expect(invalidCauses(() => validateCreate(target('VolumeAttachment'), va({})))).toEqual(['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
    expect(invalidCauses(() => validateCreate(target('VolumeAttachment'), va({ persistentVolumeName: 'pv-1', inlineVolumeSpec: {} })))).toEqual(['spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
    const ok = va({ persistentVolumeName: 'pv-1' });
    expect(invalidCauses(() => validateCreate(target('VolumeAttachment'), ok))).toEqual([]);
    expect(invalidCauses(() => validateUpdate(target('VolumeAttachment'), va({ persistentVolumeName: 'pv-1' }, 'node-2'), ok))[0]).toMatch(/^spec: Invalid value: .*field is immutable$/);
    expect(cells(volumeAttachment.columns, { ...ok, status: { attached: true } })).toMatchObject({ Attacher: 'ebs.csi.aws.com', PV: 'pv-1', Node: 'node-1', Attached: true });
  });
});
