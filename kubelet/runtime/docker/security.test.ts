import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerSecurity } from '../runtime.js';
import { RuntimeError } from '../runtime.js';
import { dockerSecurity, dockerUser } from './security.js';

const base: ContainerSecurity = { privileged: false, capabilities: { add: [], drop: [] }, supplementalGroups: [], readonlyRootfs: false, noNewPrivs: false, seccomp: { type: 'RuntimeDefault' } };
const dir = mkdtempSync(join(tmpdir(), 'kubette-seccomp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dockerUser', () => {
  it('uid, uid:gid, name:gid, and root with a group alone', () => {
    expect(dockerUser(base)).toBeUndefined();
    expect(dockerUser({ ...base, runAsUser: 1000 })).toBe('1000');
    expect(dockerUser({ ...base, runAsUser: 0, runAsGroup: 0 })).toBe('0:0');
    expect(dockerUser({ ...base, runAsUsername: 'nginx', runAsGroup: 5 })).toBe('nginx:5');
    expect(dockerUser({ ...base, runAsGroup: 5 })).toBe('0:5');
  });
});

describe('dockerSecurity', () => {
  it('sets nothing for an unconfigured container, so Docker applies its defaults', async () => {
    const out = await dockerSecurity(base);
    expect(out.User).toBeUndefined();
    expect(Object.values(out.HostConfig).filter((v) => v !== undefined)).toEqual([]);
  });

  it('capabilities, groups, read-only root, no_new_privs and an unconfined seccomp', async () => {
    const out = await dockerSecurity({ ...base, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, supplementalGroups: [2000, 4000], readonlyRootfs: true, noNewPrivs: true, seccomp: { type: 'Unconfined' } });
    expect(out.HostConfig).toMatchObject({ CapAdd: ['NET_ADMIN'], CapDrop: ['ALL'], GroupAdd: ['2000', '4000'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges', 'seccomp=unconfined'] });
  });

  it("a Localhost profile is sent as its JSON; a missing or broken one is the runtime's error", async () => {
    const profile = { defaultAction: 'SCMP_ACT_ALLOW' };
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(profile));
    writeFileSync(join(dir, 'bad.json'), '{not json');
    const out = await dockerSecurity({ ...base, seccomp: { type: 'Localhost', path: join(dir, 'ok.json') } });
    expect(out.HostConfig.SecurityOpt).toEqual([`seccomp=${JSON.stringify(profile)}`]);
    await expect(dockerSecurity({ ...base, seccomp: { type: 'Localhost', path: join(dir, 'missing.json') } })).rejects.toThrow(RuntimeError);
    await expect(dockerSecurity({ ...base, seccomp: { type: 'Localhost', path: join(dir, 'bad.json') } })).rejects.toThrow(/cannot load seccomp profile/);
  });

  it('privileged replaces seccomp: no profile is sent', async () => {
    const out = await dockerSecurity({ ...base, privileged: true, seccomp: { type: 'Unconfined' } });
    expect(out.HostConfig).toMatchObject({ Privileged: true });
    expect(out.HostConfig.SecurityOpt).toBeUndefined();
  });
});
