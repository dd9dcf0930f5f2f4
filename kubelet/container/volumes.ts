// Pod volumes on the node's disk, under <root-dir>/pods/<uid>/volumes/<plugin>/<name>, bind
// mounted into the containers. ConfigMap, Secret, downward API and projected volumes (those
// three plus service-account tokens, in one directory) are written the way the kubelet writes them: the files live in a timestamped directory that a `..data` symlink
// points at, and each entry is a symlink through `..data`, so an update swaps in all at once.
import { createHash } from 'node:crypto';
import { chmod, lchown, mkdir, readdir, rename, rm, stat, symlink, writeFile, lstat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ConfigMap, Secret } from '../../api/types/core.js';
import type { Container, DownwardAPIVolumeFile, KeyToPath, Pod, Volume } from '../../api/types/pod.js';
import { parseQuantity } from '../../api/quantity.js';
import { claimNameOf } from '../../api/pod-claims.js';
import type { Mount } from '../runtime/runtime.js';
import { fieldValue, resourceValue, type EnvSources } from './env.js';

/** A volume cannot be set up (a missing ConfigMap, a hostPath of the wrong type): FailedMount. */
export class VolumeError extends Error {}

/** What volumes are made from: the env sources, and bound tokens for the pod's service account. */
export interface VolumeSources extends EnvSources {
  serviceAccountToken?: (wanted: { audience?: string; expirationSeconds?: number }) => Promise<string>;
  /** Where a bound claim's volume lives on this node (`ephemeral`: the claim must have been made for this pod); throws VolumeError while it cannot be used. */
  claimedVolume?: (claim: string, ephemeral: boolean) => Promise<{ path: string; type?: string; local?: boolean }>;
  /** Makes (once) the memory-backed volume of an emptyDir with medium Memory; returns its runtime name. */
  memoryVolume?: (volume: string, opts: { sizeBytes?: number; gid?: number }) => Promise<string>;
}

export interface PreparedVolume {
  /** Where it lives on the host; empty for a runtime volume. */
  hostPath: string;
  /** A runtime volume's name (a memory-backed emptyDir), mounted by name. */
  runtimeVolume?: string;
  readOnly: boolean;
}

export function podDir(rootDir: string, uid: string): string {
  return join(rootDir, 'pods', uid);
}

/** Names of the ConfigMaps and Secrets the pod's volumes refer to. */
export function volumeObjects(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const src of v.projected?.sources ?? []) {
      if (src.configMap?.name) configMaps.add(src.configMap.name);
      if (src.secret?.name) secrets.add(src.secret.name);
    }
  }
  return { configMaps, secrets };
}

function safeRelative(path: string): boolean {
  const n = normalize(path);
  return !!path && !path.startsWith('/') && n !== '..' && !n.startsWith('../') && !path.split('/').some((p) => p.startsWith('..'));
}

/** The files of a ConfigMap/Secret volume: all keys, or the listed items. */
function projectKeys(data: Record<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, what: string, optional: boolean): Map<string, { content: Buffer; mode: number }> {
  const files = new Map<string, { content: Buffer; mode: number }>();
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) files.set(k, { content: v, mode: defaultMode });
    return files;
  }
  for (const item of items) {
    const content = data[item.key];
    if (content === undefined) {
      if (optional) continue;
      throw new VolumeError(`configmap references non-existent config key: ${item.key}`.replace('configmap', what));
    }
    if (!safeRelative(item.path)) throw new VolumeError(`invalid path ${item.path}`);
    files.set(item.path, { content, mode: item.mode ?? defaultMode });
  }
  return files;
}

/** The pod's fsGroup, which owns the volumes that support it, as Kubernetes sets it. */
export interface VolumeOwnership {
  gid: number;
  /** fsGroupChangePolicy OnRootMismatch: leave a volume whose root already matches alone. */
  onRootMismatch: boolean;
}

export function volumeOwnership(pod: Pod): VolumeOwnership | undefined {
  const sc = pod.spec.securityContext;
  return sc?.fsGroup === undefined ? undefined : { gid: sc.fsGroup, onRootMismatch: sc.fsGroupChangePolicy === 'OnRootMismatch' };
}

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const DIR_MASK = 0o2110; // setgid, so what is made inside belongs to the group too, and searchable

/** Gives `path` and everything under it to the group, readable (and writable unless read-only) by it; symlinks keep their modes. */
async function chownTree(path: string, gid: number, readOnly: boolean): Promise<void> {
  const info = await lstat(path);
  await lchown(path, info.uid, gid);
  if (info.isSymbolicLink()) return;
  const mask = (readOnly ? RO_MASK : RW_MASK) | (info.isDirectory() ? DIR_MASK : 0);
  await chmod(path, (info.mode & 0o7777) | mask);
  if (info.isDirectory()) for (const entry of await readdir(path)) await chownTree(join(path, entry), gid, readOnly);
}

/** Applies the fsGroup to a volume (SetVolumeOwnership); a volume the group cannot own fails to mount. */
export async function setVolumeOwnership(dir: string, own: VolumeOwnership, readOnly: boolean): Promise<void> {
  try {
    if (own.onRootMismatch) {
      const root = await stat(dir);
      const mask = (readOnly ? RO_MASK : RW_MASK) | DIR_MASK;
      if (root.gid === own.gid && (root.mode & mask) === mask) return;
    }
    await chownTree(dir, own.gid, readOnly);
  } catch (err) {
    throw new VolumeError(`MountVolume.SetUp failed: cannot give ${dir} to fsGroup ${own.gid}: ${(err as Error).message}`);
  }
}

const written = new Map<string, string>();

/**
 * Writes `files` into `dir` atomically through the `..data` symlink; a no-op when nothing changed.
 * With an fsGroup the new files belong to it before they are swapped in.
 */
export async function writeAtomically(dir: string, files: Map<string, { content: Buffer; mode: number }>, own?: VolumeOwnership): Promise<void> {
  const hash = createHash('sha256');
  hash.update(own ? `gid ${own.gid}` : 'no gid');
  for (const [path, f] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(path).update(String(f.mode)).update(f.content);
  const signature = hash.digest('hex');
  if (written.get(dir) === signature && (await exists(join(dir, '..data')))) return;
  await mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.hrtime.bigint() % 100000n}`;
  const target = join(dir, stamp);
  await mkdir(target, { recursive: true });
  for (const [path, f] of files) {
    await mkdir(dirname(join(target, path)), { recursive: true });
    await writeFile(join(target, path), f.content);
    await chmod(join(target, path), f.mode);
  }
  if (own) {
    await setVolumeOwnership(target, { ...own, onRootMismatch: false }, true);
    const top = await stat(dir);
    await lchown(dir, top.uid, own.gid);
    await chmod(dir, (top.mode & 0o7777) | RO_MASK | DIR_MASK);
  }
  await rm(join(dir, '..data_tmp'), { force: true });
  await symlink(stamp, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]!));
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('..')) {
      if (entry !== '..data' && entry !== stamp) await rm(join(dir, entry), { recursive: true, force: true });
    } else if (!tops.has(entry)) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
  for (const top of tops) {
    if (await exists(join(dir, top))) continue;
    await symlink(join('..data', top), join(dir, top));
  }
  written.set(dir, signature);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function hostPathVolume(v: NonNullable<Volume['hostPath']>): Promise<void> {
  const type = v.type ?? '';
  const info = await stat(v.path).catch(() => undefined);
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!info) await mkdir(v.path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a directory`);
      return;
    case 'Directory':
      if (!info?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!info) {
        await mkdir(dirname(v.path), { recursive: true });
        await writeFile(v.path, '', { mode: 0o644 });
      } else if (!info.isFile()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a file`);
      return;
    case 'File':
      if (!info?.isFile()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a file`);
      return;
    case 'Socket':
      if (!info?.isSocket()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!info?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!info?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${v.path} is not a block device`);
      return;
    default:
      throw new VolumeError(`unsupported hostPath type ${type}`);
  }
}

function bytesOf(obj: ConfigMap | Secret | undefined, secret: boolean): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(obj?.data ?? {})) out[k] = secret ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8');
  if (!secret && obj && 'binaryData' in obj) for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

type Files = Map<string, { content: Buffer; mode: number }>;

/** The files of downward API items (a pod field, or a container's request or limit), added to `files`. */
function downwardFiles(pod: Pod, volume: string, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number, sources: EnvSources, files: Files): void {
  for (const item of items ?? []) {
    if (!safeRelative(item.path)) throw new VolumeError(`invalid path ${item.path}`);
    if (item.resourceFieldRef) {
      if (!item.resourceFieldRef.containerName) throw new VolumeError(`MountVolume.SetUp failed for volume "${volume}" : resourceFieldRef of ${item.path} names no container`);
      files.set(item.path, { content: Buffer.from(resourceValue(pod, undefined, item.resourceFieldRef, sources)), mode: item.mode ?? defaultMode });
      continue;
    }
    if (!item.fieldRef) throw new VolumeError(`MountVolume.SetUp failed for volume "${volume}" : ${item.path} has neither fieldRef nor resourceFieldRef`);
    const path = item.fieldRef.fieldPath;
    const value =
      path === 'metadata.labels' || path === 'metadata.annotations'
        ? Object.entries((path === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, val]) => `${k}=${JSON.stringify(val)}`)
            .join('\n')
        : fieldValue(pod, path, sources);
    files.set(item.path, { content: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
}

/** A projected volume's files: its ConfigMap, Secret, downward API and token sources in one directory. */
async function projectedFiles(pod: Pod, volume: string, spec: NonNullable<Volume['projected']>, sources: VolumeSources): Promise<Files> {
  const files: Files = new Map();
  const mode = spec.defaultMode ?? 0o644;
  const add = (more: Files) => more.forEach((f, path) => files.set(path, f));
  for (const src of spec.sources ?? []) {
    if (src.configMap) {
      const cm = sources.configMaps.get(src.configMap.name);
      if (!cm && !src.configMap.optional) throw new VolumeError(`MountVolume.SetUp failed for volume "${volume}" : configmap "${src.configMap.name}" not found`);
      add(projectKeys(bytesOf(cm, false), src.configMap.items, mode, 'configmap', !!src.configMap.optional));
    } else if (src.secret) {
      const secret = sources.secrets.get(src.secret.name);
      if (!secret && !src.secret.optional) throw new VolumeError(`MountVolume.SetUp failed for volume "${volume}" : secret "${src.secret.name}" not found`);
      add(projectKeys(bytesOf(secret, true), src.secret.items, mode, 'secret', !!src.secret.optional));
    } else if (src.downwardAPI) {
      downwardFiles(pod, volume, src.downwardAPI.items, mode, sources, files);
    } else if (src.serviceAccountToken) {
      const t = src.serviceAccountToken;
      if (!safeRelative(t.path)) throw new VolumeError(`invalid path ${t.path}`);
      if (!sources.serviceAccountToken) throw new VolumeError(`MountVolume.SetUp failed for volume "${volume}" : this kubelet cannot request service-account tokens`);
      let token: string;
      try {
        token = await sources.serviceAccountToken({ audience: t.audience, expirationSeconds: t.expirationSeconds });
      } catch (err) {
        throw new VolumeError(`MountVolume.SetUp failed for volume "${volume}" : ${(err as Error).message}`);
      }
      files.set(t.path, { content: Buffer.from(token), mode });
    }
  }
  return files;
}

/** Sets up every volume of the pod; returns where each lives on the host. */
export async function prepareVolumes(pod: Pod, rootDir: string, sources: VolumeSources): Promise<Map<string, PreparedVolume>> {
  const base = join(podDir(rootDir, pod.metadata.uid!), 'volumes');
  const out = new Map<string, PreparedVolume>();
  const own = volumeOwnership(pod);
  for (const v of pod.spec.volumes ?? []) {
    if (v.emptyDir?.medium === 'Memory') {
      if (!sources.memoryVolume) throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : this kubelet cannot make memory-backed volumes`);
      const name = await sources.memoryVolume(v.name, { sizeBytes: memoryVolumeSize(pod, v.emptyDir.sizeLimit), gid: own?.gid });
      out.set(v.name, { hostPath: '', runtimeVolume: name, readOnly: false });
    } else if (v.emptyDir?.medium) {
      throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : emptyDir medium ${JSON.stringify(v.emptyDir.medium)} is not supported by this kubelet (only "" and "Memory")`);
    } else if (v.emptyDir) {
      const dir = join(base, 'kubernetes.io~empty-dir', v.name);
      // Set up once, as the kubelet does: later passes find it as the pod left it.
      if (!(await exists(dir))) {
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o777);
        if (own) await setVolumeOwnership(dir, own, false).catch(async (err: unknown) => {
          await rm(dir, { recursive: true, force: true });
          throw err;
        });
      }
      out.set(v.name, { hostPath: dir, readOnly: false });
    } else if (v.hostPath) {
      await hostPathVolume(v.hostPath);
      out.set(v.name, { hostPath: v.hostPath.path, readOnly: false });
    } else if (v.configMap) {
      const cm = sources.configMaps.get(v.configMap.name);
      if (!cm && !v.configMap.optional) throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : configmap "${v.configMap.name}" not found`);
      const dir = join(base, 'kubernetes.io~configmap', v.name);
      await writeAtomically(dir, projectKeys(bytesOf(cm, false), v.configMap.items, v.configMap.defaultMode ?? 0o644, 'configmap', !!v.configMap.optional), own);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.secret) {
      const secret = sources.secrets.get(v.secret.secretName);
      if (!secret && !v.secret.optional) throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : secret "${v.secret.secretName}" not found`);
      const dir = join(base, 'kubernetes.io~secret', v.name);
      await writeAtomically(dir, projectKeys(bytesOf(secret, true), v.secret.items, v.secret.defaultMode ?? 0o644, 'secret', !!v.secret.optional), own);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.downwardAPI) {
      const files = new Map<string, { content: Buffer; mode: number }>();
      downwardFiles(pod, v.name, v.downwardAPI.items, v.downwardAPI.defaultMode ?? 0o644, sources, files);
      const dir = join(base, 'kubernetes.io~downward-api', v.name);
      await writeAtomically(dir, files, own);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.persistentVolumeClaim || v.ephemeral) {
      // A generic ephemeral volume is the claim made for this pod from its template.
      const claim = { claimName: claimNameOf(pod, v)!, readOnly: !!v.persistentVolumeClaim?.readOnly };
      if (!sources.claimedVolume) throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : this kubelet cannot look up persistent volumes`);
      const vol = await sources.claimedVolume(claim.claimName, !!v.ephemeral);
      const created = !(await stat(vol.path).catch(() => undefined));
      await hostPathVolume({ path: vol.path, type: vol.type ?? 'DirectoryOrCreate' });
      // A fresh volume directory is open to whatever user the pod runs as, as local-path makes it.
      if (created) await chmod(vol.path, 0o777);
      // Local volumes take the pod's fsGroup; hostPath ones are the node's and stay as they are.
      if (own && vol.local) await setVolumeOwnership(vol.path, own, !!claim.readOnly);
      out.set(v.name, { hostPath: vol.path, readOnly: !!claim.readOnly });
    } else if (v.projected) {
      const dir = join(base, 'kubernetes.io~projected', v.name);
      await writeAtomically(dir, await projectedFiles(pod, v.name, v.projected, sources), own);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : volume type ${kind} is not supported by this kubelet`);
    }
  }
  return out;
}

/**
 * How big a memory-backed emptyDir may grow, as Kubernetes sizes its tmpfs: the volume's
 * sizeLimit, capped by the pod's memory limit (the sum of its containers', when each has
 * one); neither: the kernel's default.
 */
export function memoryVolumeSize(pod: Pod, sizeLimit: string | undefined): number | undefined {
  const containers = pod.spec.containers ?? [];
  const limits = containers.map((c) => parseQuantity(c.resources?.limits?.memory));
  const podLimit = containers.length && limits.every((l) => l !== undefined) ? limits.reduce((a, b) => a! + b!, 0)! : undefined;
  const limit = parseQuantity(sizeLimit);
  // A hostile or absurd quantity ("1e999", negative) sizes nothing.
  const sizes = [limit, podLimit].filter((n): n is number => n !== undefined && Number.isFinite(n) && n > 0);
  return sizes.length ? Math.ceil(Math.min(...sizes)) : undefined;
}

/**
 * The runtime's mounts for a container's volumeMounts; `subPaths` holds the host paths of those
 * that take a sub path, resolved and checked by prepareSubPaths (kubelet/container/subpaths.ts).
 */
export function containerMounts(c: Container, volumes: ReadonlyMap<string, PreparedVolume>, subPaths: ReadonlyMap<number, string> = new Map()): Mount[] {
  const mounts: Mount[] = [];
  (c.volumeMounts ?? []).forEach((m, i) => {
    const v = volumes.get(m.name);
    if (!v) throw new VolumeError(`volume "${m.name}" of container "${c.name}" is not defined in the pod`);
    const sub = subPaths.get(i);
    if ((m.subPath || m.subPathExpr) && sub === undefined) throw new VolumeError(`subPath of volumeMount "${m.name}" of container "${c.name}" was not prepared`);
    if (v.runtimeVolume) {
      mounts.push({ hostPath: '', volume: v.runtimeVolume, containerPath: m.mountPath, readonly: !!m.readOnly });
      return;
    }
    mounts.push({ hostPath: sub ?? v.hostPath, containerPath: m.mountPath, readonly: !!(m.readOnly || v.readOnly) });
  });
  return mounts;
}

export async function removePodDir(rootDir: string, uid: string): Promise<void> {
  const dir = podDir(rootDir, uid);
  for (const key of written.keys()) if (key.startsWith(dir)) written.delete(key);
  await rm(dir, { recursive: true, force: true });
}
