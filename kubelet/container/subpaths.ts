// Sub paths of volumes (volumeMounts' subPath and subPathExpr), made safe the way Kubernetes'
// kubelet makes them: subPathExpr is expanded from the container's environment; the result must
// be relative and never climb out ('..'); and since a container sharing the volume can plant
// symlinks in it, the path is walked one component at a time, each symlink resolved and required
// to stay inside the volume, and the runtime is handed the resolved path, never the one with
// links in it. Missing directories are made inside the volume with the volume root's mode.
//
// What stays open: a container racing the walk (swapping a checked directory for a link between
// the walk and Docker's mount). Kubernetes closes that by bind-mounting an open file descriptor;
// a kubelet that asks Docker to make the mount cannot.
import { chmod, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import type { Container, VolumeMount } from '../../api/types/pod.js';
import { ContainerConfigError, expandVars } from './env.js';

/** The volume a sub path is taken from, as prepareVolumes made it. */
export interface SubPathVolume {
  hostPath: string;
  readOnly: boolean;
  runtimeVolume?: string;
}

/** $(NAME) from the container's environment; a reference to a missing or empty variable is an error. */
function expandSubPathExpr(expr: string, vars: ReadonlyMap<string, string>): string {
  const referenced = new Set<string>();
  const out = expandVars(expr, vars, referenced);
  const missing = [...referenced].filter((name) => !vars.get(name));
  if (missing.length) throw new ContainerConfigError(`missing value for ${missing.sort().join(', ')}`);
  return out;
}

/** The mount's sub path relative to its volume ('' for none), checked as the kubelet checks it. */
export function subPathOf(m: VolumeMount, vars: ReadonlyMap<string, string>): string {
  const path = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, vars) : (m.subPath ?? '');
  if (!path) return '';
  if (isAbsolute(path)) throw new ContainerConfigError(`error SubPath \`${path}\` must not be an absolute path`);
  if (path.split('/').includes('..')) throw new ContainerConfigError(`unable to provision SubPath \`${path}\`: must not contain '..'`);
  return path;
}

const within = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Where on the node `rel` inside the volume `root` really is, with every symlink on the way
 * resolved and required to stay inside the volume; missing directories are made when `create`.
 */
async function resolveInside(root: string, rel: string, create: boolean): Promise<string> {
  const top = await realpath(root);
  const mode = (await stat(top)).mode & 0o7777;
  let at = top;
  const parts = rel.split('/').filter((p) => p && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const next = join(at, parts[i]!);
    const st = await lstatOrUndefined(next);
    if (!st) {
      // Nothing there yet, under a directory known to be inside the volume.
      if (!create) return join(next, ...parts.slice(i + 1));
      await mkdir(next);
      // mkdir's mode passes through the umask; the kubelet's does not. The group comes from a setgid parent.
      await chmod(next, mode);
      at = next;
      continue;
    }
    const real = st.isSymbolicLink() ? await realpath(next) : next;
    if (!within(top, real)) throw new Error(`subpath ${JSON.stringify(join(root, rel))} not within volume path ${JSON.stringify(root)}`);
    at = real;
  }
  return at;
}

/**
 * The host paths of the container's mounts that take a sub path, by their index in
 * volumeMounts: expanded, checked, made and resolved. A path a container made unsafe fails the
 * container with Kubernetes' words, and no detail of the node's files.
 */
export async function prepareSubPaths(c: Container, volumes: ReadonlyMap<string, SubPathVolume>, vars: ReadonlyMap<string, string>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const mounts = c.volumeMounts ?? [];
  for (let i = 0; i < mounts.length; i++) {
    const m = mounts[i]!;
    const v = volumes.get(m.name);
    const rel = subPathOf(m, vars);
    if (!v || !rel) continue;
    // Docker 20.10 mounts a named volume whole: no sub path into it.
    if (v.runtimeVolume) throw new ContainerConfigError(`subPath on the memory-backed volume "${m.name}" is not supported by this kubelet`);
    try {
      out.set(i, await resolveInside(v.hostPath, rel, !v.readOnly));
    } catch {
      throw new ContainerConfigError(`failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(c.name)}`);
    }
  }
  return out;
}
