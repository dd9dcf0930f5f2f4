import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Container } from '../../api/types/pod.js';
import { prepareSubPaths, subPathOf } from './subpaths.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'kubette-subpaths-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const vars = new Map([['POD_NAME', 'web-0'], ['EMPTY', ''], ['UP', '..'], ['ABS', '/etc']]);

describe('subPathOf', () => {
  it("expands subPathExpr from the container's environment", () => {
    expect(subPathOf({ name: 'v', mountPath: '/m', subPathExpr: 'logs/$(POD_NAME)' }, vars)).toBe('logs/web-0');
    expect(subPathOf({ name: 'v', mountPath: '/m', subPathExpr: 'cost$$' }, vars)).toBe('cost$');
    expect(subPathOf({ name: 'v', mountPath: '/m', subPath: 'plain' }, vars)).toBe('plain');
    expect(subPathOf({ name: 'v', mountPath: '/m' }, vars)).toBe('');
  });

  it('refuses missing or empty variables, absolute paths and paths that climb out, in the kubelet words', () => {
    expect(() => subPathOf({ name: 'v', mountPath: '/m', subPathExpr: '$(NOPE)/$(EMPTY)' }, vars)).toThrow('missing value for EMPTY, NOPE');
    expect(() => subPathOf({ name: 'v', mountPath: '/m', subPathExpr: '$(ABS)' }, vars)).toThrow('error SubPath `/etc` must not be an absolute path');
    expect(() => subPathOf({ name: 'v', mountPath: '/m', subPathExpr: 'a/$(UP)/b' }, vars)).toThrow("unable to provision SubPath `a/../b`: must not contain '..'");
  });
});

describe('prepareSubPaths', () => {
  const volume = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { mode: 0o777 });
    return dir;
  };
  const container = (mounts: Container['volumeMounts']): Container => ({ name: 'app', image: 'busybox', volumeMounts: mounts });

  it('makes missing directories inside the volume and answers their real path', async () => {
    const dir = volume('plain');
    const paths = await prepareSubPaths(container([{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b', subPathExpr: 'logs/$(POD_NAME)' }]), new Map([['v', { hostPath: dir, readOnly: false }]]), vars);
    expect([...paths]).toEqual([[1, join(dir, 'logs', 'web-0')]]);
    expect(statSync(join(dir, 'logs', 'web-0')).isDirectory()).toBe(true);
  });

  it('follows links that stay in the volume, and hands the runtime the resolved path', async () => {
    const dir = volume('linked');
    mkdirSync(join(dir, 'real'));
    symlinkSync('real', join(dir, 'alias'));
    const paths = await prepareSubPaths(container([{ name: 'v', mountPath: '/a', subPath: 'alias' }]), new Map([['v', { hostPath: dir, readOnly: false }]]), vars);
    expect(paths.get(0)).toBe(join(dir, 'real'));
  });

  it('refuses a link a container planted to reach out of the volume, and makes nothing outside', async () => {
    const dir = volume('hostile');
    const outside = volume('outside');
    writeFileSync(join(outside, 'secret'), 'host data');
    symlinkSync(outside, join(dir, 'escape'));
    symlinkSync('/', join(dir, 'rootfs'));
    const volumes = new Map([['v', { hostPath: dir, readOnly: false }]]);
    const refused = 'failed to prepare subPath for volumeMount "v" of container "app"';
    await expect(prepareSubPaths(container([{ name: 'v', mountPath: '/a', subPath: 'escape/secret' }]), volumes, vars)).rejects.toThrow(refused);
    await expect(prepareSubPaths(container([{ name: 'v', mountPath: '/a', subPath: 'rootfs' }]), volumes, vars)).rejects.toThrow(refused);
    // Making a missing directory through the link would have written on the host.
    await expect(prepareSubPaths(container([{ name: 'v', mountPath: '/a', subPath: 'escape/new' }]), volumes, vars)).rejects.toThrow(refused);
    expect(existsSync(join(outside, 'new'))).toBe(false);
  });
});
