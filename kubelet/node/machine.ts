// Facts about the machine the kubelet runs on, for the Node's capacity and nodeInfo.
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseQuantity } from '../../api/quantity.js';

export const KUBELET_VERSION = 'v1.32.0';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? 'Linux';
}

/** Node's arch in Go's spelling, as Kubernetes labels and reports it. */
export function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/** Bytes of the filesystem holding `dir` (the kubelet's root directory: pods' local storage), or undefined if it cannot be read. */
export function filesystemBytes(dir: string | undefined): number | undefined {
  if (!dir) return undefined;
  try {
    const s = statfsSync(dir);
    return s.blocks * s.bsize;
  } catch {
    return undefined;
  }
}

/** The node's capacity: CPUs, memory, pods, and the local storage pods may use (its root directory's filesystem). */
export function capacity(maxPods: number, rootDir?: string, storage = filesystemBytes(rootDir)): Record<string, string> {
  return {
    cpu: String(cpus().length),
    ...(storage !== undefined ? { 'ephemeral-storage': `${Math.floor(storage / 1024)}Ki` } : {}),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(maxPods),
  };
}

/** What the hard eviction thresholds hold back from pods, by resource (as Kubernetes subtracts them from allocatable). */
export interface EvictionReservation {
  memory?: number;
  'ephemeral-storage'?: number;
}

/** Capacity less what --system-reserved and the hard eviction thresholds hold back. */
export function allocatable(maxPods: number, reserved: Record<string, string>, rootDir?: string, eviction: EvictionReservation = {}): Record<string, string> {
  const storage = filesystemBytes(rootDir);
  const cap = capacity(maxPods, rootDir, storage);
  const out = { ...cap };
  const reservedCpu = parseQuantity(reserved.cpu);
  if (reservedCpu) out.cpu = `${Math.max(0, Math.round(Number(cap.cpu) * 1000 - reservedCpu * 1000))}m`;
  const heldMemory = (parseQuantity(reserved.memory) ?? 0) + (eviction.memory ?? 0);
  if (heldMemory) out.memory = `${Math.max(0, Math.floor((totalmem() - heldMemory) / 1024))}Ki`;
  const heldStorage = (parseQuantity(reserved['ephemeral-storage']) ?? 0) + (eviction['ephemeral-storage'] ?? 0);
  // In bytes, as Kubernetes writes a capacity less a percentage.
  if (storage !== undefined && heldStorage) out['ephemeral-storage'] = String(Math.max(0, Math.floor(storage - heldStorage)));
  return out;
}

/** nodeInfo, but for the runtime's version, which the caller knows. */
export function nodeInfo(containerRuntimeVersion: string) {
  return {
    machineID: readOr('/etc/machine-id', ''),
    systemUUID: readOr('/sys/class/dmi/id/product_uuid', readOr('/etc/machine-id', '')),
    bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
    kernelVersion: release(),
    osImage: osImage(),
    containerRuntimeVersion,
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: '',
    operatingSystem: 'linux',
    architecture: goArch(),
  };
}
