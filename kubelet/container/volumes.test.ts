import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerMounts, VolumeError, writeAtomically } from './volumes.js';

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
  it('binds volumes, sub paths and read-only mounts, and refuses paths that climb out', () => {
    const volumes = new Map([
      ['data', { hostPath: '/var/lib/x', readOnly: false }],
      ['cfg', { hostPath: '/var/lib/cfg', readOnly: true }],
    ]);
    const c = { name: 'c', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'logs' }, { name: 'cfg', mountPath: '/etc/cfg' }, { name: 'data', mountPath: '/ro', readOnly: true }] };
    expect(containerMounts(c, volumes)).toEqual([
      { hostPath: '/var/lib/x/logs', containerPath: '/data', readonly: false },
      { hostPath: '/var/lib/cfg', containerPath: '/etc/cfg', readonly: true },
      { hostPath: '/var/lib/x', containerPath: '/ro', readonly: true },
    ]);
    expect(() => containerMounts({ ...c, volumeMounts: [{ name: 'data', mountPath: '/d', subPath: '../../etc' }] }, volumes)).toThrow(VolumeError);
    expect(() => containerMounts({ ...c, volumeMounts: [{ name: 'nope', mountPath: '/d' }] }, volumes)).toThrow('volume "nope" of container "c" is not defined in the pod');
  });
});
