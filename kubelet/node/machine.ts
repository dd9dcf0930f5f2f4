// Facts about the machine the kubelet runs on, for the Node's capacity and nodeInfo.
import { readFileSync } from 'node:fs';
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

export function capacity(maxPods: number): Record<string, string> {
  return {
    cpu: String(cpus().length),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(maxPods),
  };
}

/** Capacity less what --system-reserved holds back. */
export function allocatable(maxPods: number, reserved: Record<string, string>): Record<string, string> {
  const cap = capacity(maxPods);
  const out = { ...cap };
  const reservedCpu = parseQuantity(reserved.cpu);
  if (reservedCpu) out.cpu = `${Math.max(0, Math.round(Number(cap.cpu) * 1000 - reservedCpu * 1000))}m`;
  const reservedMem = parseQuantity(reserved.memory);
  if (reservedMem) out.memory = `${Math.max(0, Math.floor((totalmem() - reservedMem) / 1024))}Ki`;
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
