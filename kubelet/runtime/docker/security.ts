// A container's confinement in Docker's terms: User, capabilities, groups, read-only root,
// and the security options carrying no_new_privs and the seccomp profile (Docker takes a
// profile's JSON itself, not its path).
import { readFile } from 'node:fs/promises';
import type { ContainerSecurity } from '../runtime.js';
import { RuntimeError } from '../runtime.js';
import type { DockerCreateBody } from './engine.js';

/** Docker's `User`: uid or name, with ":gid" when a group is given. */
export function dockerUser(s: ContainerSecurity): string | undefined {
  const user = s.runAsUser !== undefined ? String(s.runAsUser) : s.runAsUsername;
  if (s.runAsGroup === undefined) return user;
  // A group alone keeps the image's user, which is root when the image names none.
  return `${user ?? '0'}:${s.runAsGroup}`;
}

async function seccompOption(s: ContainerSecurity): Promise<string | undefined> {
  const profile = s.seccomp;
  if (s.privileged || profile.type === 'RuntimeDefault') return undefined;
  if (profile.type === 'Unconfined') return 'seccomp=unconfined';
  let json: string;
  try {
    json = await readFile(profile.path, 'utf8');
    JSON.parse(json);
  } catch (err) {
    throw new RuntimeError(`cannot load seccomp profile "${profile.path}": ${(err as Error).message}`, 400);
  }
  return `seccomp=${json}`;
}

export async function dockerSecurity(s: ContainerSecurity): Promise<{ User?: string; HostConfig: Partial<DockerCreateBody['HostConfig']> }> {
  const options = [...(s.noNewPrivs ? ['no-new-privileges'] : []), ...[await seccompOption(s)].filter((o): o is string => !!o)];
  return {
    User: dockerUser(s),
    HostConfig: {
      Privileged: s.privileged || undefined,
      CapAdd: s.capabilities.add.length ? s.capabilities.add : undefined,
      CapDrop: s.capabilities.drop.length ? s.capabilities.drop : undefined,
      GroupAdd: s.supplementalGroups.length ? s.supplementalGroups.map(String) : undefined,
      ReadonlyRootfs: s.readonlyRootfs || undefined,
      SecurityOpt: options.length ? options : undefined,
    },
  };
}
