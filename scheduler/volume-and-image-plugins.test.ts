// VolumeRestrictions (ReadWriteOncePod), VolumeZone and ImageLocality as kube-scheduler runs them.
import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../api/types/storage.js';
import { podRequests, hostPorts, newNodeInfo } from './node-info.js';
import { schedule } from './framework.js';
import { preempt } from './preemption.js';
import { prepareFilters } from './framework.js';
import { defaultFilters } from './plugins/index.js';
import { imageLocality, normalizedImageName } from './plugins/image-locality.js';
import type { VolumeLookup } from './plugins/volume-binding.js';
import { READ_WRITE_ONCE_POD_CONFLICT, volumeRestrictions } from './plugins/volume-restrictions.js';
import { volumeZone } from './plugins/volume-zone.js';

function node(name: string, labels: Record<string, string> = {}, images?: { names: string[]; sizeBytes: number }[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: {},
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }], ...(images ? { images } : {}) },
  } as Node;
}

function pod(name: string, spec: Record<string, unknown> = {}, priority = 0): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec: { priority, containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '100m' } } }], ...spec },
  } as Pod;
}

const claimVolume = (claimName: string) => ({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] });

function lookup(claims: Record<string, Partial<PersistentVolumeClaim['spec']>>, volumes: Record<string, Record<string, string>> = {}): VolumeLookup {
  return {
    claim: (ns, name) => (claims[name] ? ({ metadata: { name, namespace: ns }, spec: claims[name] } as PersistentVolumeClaim) : undefined),
    volume: (name) => (volumes[name] ? ({ metadata: { name, labels: volumes[name] }, spec: {} } as PersistentVolume) : undefined),
    storageClass: () => undefined,
  };
}

describe('VolumeRestrictions: ReadWriteOncePod', () => {
  const volumes = lookup({ solo: { accessModes: ['ReadWriteOncePod'], volumeName: 'pv' }, shared: { accessModes: ['ReadWriteOnce'], volumeName: 'pv2' } });
  const filters = [...defaultFilters, volumeRestrictions(volumes)];

  it('keeps a second pod off every node while a placed pod uses the claim; other access modes share', () => {
    const nodes = [newNodeInfo(node('a'), [pod('first', { nodeName: 'a', ...claimVolume('solo') })]), newNodeInfo(node('b'), [])];
    expect(schedule(pod('second', claimVolume('solo')), nodes, filters, []).message).toBe(`0/2 nodes are available: 2 ${READ_WRITE_ONCE_POD_CONFLICT}.`);
    const shared = [newNodeInfo(node('a'), [pod('first', { nodeName: 'a', ...claimVolume('shared') })])];
    expect(schedule(pod('second', claimVolume('shared')), shared, filters, []).node).toBe('a');
    // The pod itself (on a retry after it was placed) is no conflict.
    expect(schedule(pod('first', claimVolume('solo')), [newNodeInfo(node('b'), [])], filters, []).node).toBe('b');
  });

  it('lets a pod of higher priority preempt the one holding the claim', () => {
    const holder = pod('holder', { nodeName: 'a', ...claimVolume('solo') });
    const nodes = [newNodeInfo(node('a'), [holder])];
    const wanting = pod('wanting', claimVolume('solo'), 100);
    const result = schedule(wanting, nodes, filters, []);
    expect(result.node).toBeUndefined();
    const outcome = preempt({ cycle: result.cycle!, nodes, unresolvable: result.unresolvable ?? new Set(), pdbs: [], terminatingByPreemption: () => false, offset: 0 });
    expect('candidate' in outcome && outcome.candidate.victims.map((v) => v.metadata.name)).toEqual(['holder']);
  });
});

describe('VolumeZone', () => {
  const volumes = lookup({ zonal: { volumeName: 'pv-a' }, beta: { volumeName: 'pv-beta' }, unbound: {} }, {
    'pv-a': { 'topology.kubernetes.io/zone': 'zone-a__zone-c' },
    'pv-beta': { 'failure-domain.beta.kubernetes.io/zone': 'zone-b' },
  });
  const filters = [...defaultFilters, volumeZone(volumes)];
  const nodes = () => [newNodeInfo(node('in-a', { 'topology.kubernetes.io/zone': 'zone-a' }), []), newNodeInfo(node('in-b', { 'topology.kubernetes.io/zone': 'zone-b' }), [])];

  it("places a pod only in one of its bound volume's zones; a beta label matches a node's GA label", () => {
    expect(schedule(pod('p', claimVolume('zonal')), nodes(), filters, []).node).toBe('in-a');
    expect(schedule(pod('p', claimVolume('beta')), nodes(), filters, []).node).toBe('in-b');
    const onlyB = [newNodeInfo(node('in-b', { 'topology.kubernetes.io/zone': 'zone-b' }), [])];
    const refused = schedule(pod('p', claimVolume('zonal')), onlyB, filters, []);
    expect(refused.message).toBe('0/1 nodes are available: 1 node(s) had no available volume zone.');
    expect([...refused.unresolvable!]).toEqual(['in-b']);
  });

  it('lets a node without zone or region labels take any volume, and leaves unbound claims alone', () => {
    expect(schedule(pod('p', claimVolume('zonal')), [newNodeInfo(node('plain'), [])], filters, []).node).toBe('plain');
    const state = { pod: pod('p', claimVolume('unbound')), allNodes: nodes(), requests: podRequests(pod('p')), hostPorts: hostPorts(pod('p')), data: new Map() };
    expect(volumeZone(volumes).preFilter!(state)).toBe('Skip');
  });
});

describe('ImageLocality', () => {
  const MB = 1024 * 1024;
  it("prefers the node holding the pod's images, by their size and how rare they are", () => {
    const big = { names: ['registry.example/app:2', 'registry.example/app@sha256:abc'], sizeBytes: 500 * MB };
    const nodes = [newNodeInfo(node('without'), []), newNodeInfo(node('with', {}, [big]), [])];
    const p = pod('p', { containers: [{ name: 'c', image: 'registry.example/app:2' }] });
    expect(schedule(p, nodes, defaultFilters, [imageLocality]).node).toBe('with');
    const state = { pod: p, allNodes: nodes, requests: podRequests(p), hostPorts: [], data: new Map() };
    expect(imageLocality.preScore!(state, nodes)).toBeUndefined();
    // 500 MB held by one node of two: 250 MB, between 23 MB and 1000 MB: 100 x 227 / 977.
    expect(nodes.map((n) => imageLocality.score(state, n))).toEqual([0, 23]);
    // None of the pod's images anywhere: skipped.
    expect(imageLocality.preScore!({ ...state, pod: pod('q'), data: new Map() }, nodes)).toBe('Skip');
  });

  it('reads an image without a tag as :latest', () => {
    expect(normalizedImageName('busybox')).toBe('busybox:latest');
    expect(normalizedImageName('registry:5000/app')).toBe('registry:5000/app:latest');
    expect(normalizedImageName('busybox:1.36')).toBe('busybox:1.36');
  });
});

describe('prepareFilters with the new filters', () => {
  it('skips them for pods without claims', () => {
    const volumes = lookup({});
    const cycle = prepareFilters(pod('plain'), [newNodeInfo(node('a'), [])], [volumeRestrictions(volumes), volumeZone(volumes)]);
    expect(cycle.active).toEqual([]);
  });
});
