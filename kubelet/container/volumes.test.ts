import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import { apiAccessVolume } from '../../api/service-account-volume.js';
import { containerMounts, prepareVolumes, VolumeError, writeAtomically, type VolumeSources } from './volumes.js';

const root = mkdtempSync(join(tmpdir(), 'kubette-volumes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = (entries: Record<string, string>, mode = 0o644) => new Map(Object.entries(entries).map(([k, v]) => [k, { content: Buffer.from(v), mode }]));

describe('writeAtomically', () => {
  it('lays files out behind ..data, swaps in updates and drops removed keys', async () => {
    const dir = join(root, 'cm');
    await writeAtomically(dir, files({ color: 'blue', 'nested/size': '3' }, 0o600));
    expect(readFileSync(join(dir, 'color'), 'utf8')).toBe('blue');
    expect(readFileSync(join(dir, 'nested', 'size'), 'utf8')).toBe('3');
    expect(readlinkSync(join(dir, 'color'))).toBe(join('..data', 'color'));
    expect(statSync(join(dir, 'color')).mode & 0o777).toBe(0o600);
    const first = readlinkSync(join(dir, '..data'));

    await writeAtomically(dir, files({ color: 'red' }));
    expect(readFileSync(join(dir, 'color'), 'utf8')).toBe('red');
    expect(readlinkSync(join(dir, '..data'))).not.toBe(first);
    expect(readdirSync(dir).sort()).toEqual(['..data', readlinkSync(join(dir, '..data')), 'color'].sort());
  });
});

describe('containerMounts', () => {
  it('binds volumes, prepared sub paths and read-only mounts', () => {
    const volumes = new Map([
      ['data', { hostPath: '/var/lib/x', readOnly: false }],
      ['cfg', { hostPath: '/var/lib/cfg', readOnly: true }],
    ]);
    const c = { name: 'c', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'logs' }, { name: 'cfg', mountPath: '/etc/cfg' }, { name: 'data', mountPath: '/ro', readOnly: true }] };
    expect(containerMounts(c, volumes, new Map([[0, '/var/lib/x/logs']]))).toEqual([
      { hostPath: '/var/lib/x/logs', containerPath: '/data', readonly: false },
      { hostPath: '/var/lib/cfg', containerPath: '/etc/cfg', readonly: true },
      { hostPath: '/var/lib/x', containerPath: '/ro', readonly: true },
    ]);
    // A sub path never goes to the runtime unprepared.
    expect(() => containerMounts(c, volumes)).toThrow('subPath of volumeMount "data" of container "c" was not prepared');
    expect(() => containerMounts({ ...c, volumeMounts: [{ name: 'nope', mountPath: '/d' }] }, volumes)).toThrow('volume "nope" of container "c" is not defined in the pod');
  });
});

describe('projected volumes', () => {
  const pod = (volumes: Pod['spec']['volumes']): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', uid: `uid-${Math.random()}` }, spec: { containers: [], volumes } });
  const sources = (configMaps: Record<string, ConfigMap>, token = 'jwt-1'): VolumeSources => ({
    configMaps: new Map(Object.entries(configMaps)),
    secrets: new Map(),
    hostIP: '127.0.0.1',
    nodeAllocatable: {},
    serviceAccountToken: async () => token,
  });
  const rootCA: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'PEM' } };

  it('writes the kube-api-access sources (token, ca.crt, namespace) into one directory, and a fresh token over the old one', async () => {
    const p = pod([apiAccessVolume('kube-api-access-abcde')]);
    const dir = (await prepareVolumes(p, root, sources({ 'kube-root-ca.crt': rootCA }))).get('kube-api-access-abcde')!;
    expect(dir.readOnly).toBe(true);
    expect(readFileSync(join(dir.hostPath, 'token'), 'utf8')).toBe('jwt-1');
    expect(readFileSync(join(dir.hostPath, 'ca.crt'), 'utf8')).toBe('PEM');
    expect(readFileSync(join(dir.hostPath, 'namespace'), 'utf8')).toBe('shop');
    expect(statSync(join(dir.hostPath, 'token')).mode & 0o777).toBe(0o644);
    await prepareVolumes(p, root, sources({ 'kube-root-ca.crt': rootCA }, 'jwt-2'));
    expect(readFileSync(join(dir.hostPath, 'token'), 'utf8')).toBe('jwt-2');
  });

  it("writes a container's requests and limits in the divisor's units, the node's allocatable for a limit not set", async () => {
    const items = [
      { path: 'cpu_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
      { path: 'mem_request', resourceFieldRef: { containerName: 'app', resource: 'requests.memory', divisor: '1Mi' } },
      { path: 'mem_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.memory' } },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
    ];
    const p: Pod = { ...pod([{ name: 'info', downwardAPI: { items } }]) };
    p.spec.containers = [{ name: 'app', image: 'i', resources: { limits: { cpu: '250m' }, requests: { memory: '100Mi' } } }];
    const dir = (await prepareVolumes(p, root, { ...sources({}), nodeAllocatable: { memory: '2Gi' } })).get('info')!;
    const read = (f: string) => readFileSync(join(dir.hostPath, f), 'utf8');
    expect([read('cpu_limit'), read('mem_request'), read('mem_limit'), read('name')]).toEqual(['250', '100', String(2 * 1024 ** 3), 'p']);
    const unnamed = pod([{ name: 'info', downwardAPI: { items: [{ path: 'x', resourceFieldRef: { resource: 'limits.cpu' } }] } }]);
    await expect(prepareVolumes(unnamed, root, sources({}))).rejects.toThrow('resourceFieldRef of x names no container');
  });

  it('fails the mount (FailedMount) while the root CA ConfigMap is missing or no token can be had', async () => {
    const p = pod([apiAccessVolume('kube-api-access-fghij')]);
    await expect(prepareVolumes(p, root, sources({}))).rejects.toThrow(new VolumeError('MountVolume.SetUp failed for volume "kube-api-access-fghij" : configmap "kube-root-ca.crt" not found'));
    const failing = { ...sources({ 'kube-root-ca.crt': rootCA }), serviceAccountToken: async () => Promise.reject(new Error('forbidden')) };
    await expect(prepareVolumes(p, root, failing)).rejects.toThrow('MountVolume.SetUp failed for volume "kube-api-access-fghij" : forbidden');
  });
});
