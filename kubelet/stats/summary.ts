// The kubelet's Summary API (/stats/summary, `kubectl get --raw /api/v1/nodes/<n>/proxy/stats/summary`):
// the node's and each pod's and container's CPU and memory in the shape of Kubernetes'
// stats/v1alpha1 Summary. What a Docker node can say: cumulative CPU, the CPU rate since the
// previous scrape (usageNanoCores; absent on the first), the memory working set; for the node
// also its filesystem, the runtime's image filesystem and its process ids (what the eviction
// manager observes); the node's network interfaces and each pod's (its sandbox's), with the
// top-level figures those of eth0, as Kubernetes names the default interface; each pod's local
// storage (ephemeral-storage: its containers' writable layers, its emptyDir volumes and its
// files on the node), each emptyDir volume's and each container's writable layer (rootfs), on
// the filesystem they share with the node. Containers' log files are Docker's, not counted.
import type { NetworkInterfaceStats } from '../runtime/runtime.js';
import type { Usage } from './collector.js';
import type { Observations } from '../eviction/observations.js';
import type { PodUsage as PodStorage } from '../eviction/ranking.js';

interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

interface MemoryStats {
  time: string;
  workingSetBytes: number;
}

type InterfaceStats = NetworkInterfaceStats;

/** The default interface's figures at the top (when there is one), then every interface. */
interface NetworkStats extends Partial<InterfaceStats> {
  time: string;
  interfaces: InterfaceStats[];
}

const DEFAULT_INTERFACE = 'eth0';

function networkStats(at: number, interfaces: NetworkInterfaceStats[]): NetworkStats {
  const main = interfaces.find((i) => i.name === DEFAULT_INTERFACE);
  return { time: rfc3339(at), ...(main ? { ...main } : {}), interfaces: interfaces.map((i) => ({ ...i })) };
}

export interface Summary {
  node: {
    nodeName: string;
    startTime: string;
    cpu?: CPUStats;
    memory?: MemoryStats & { availableBytes?: number };
    network?: NetworkStats;
    fs?: FsStats;
    runtime?: { imageFs?: FsStats };
    rlimit?: { time: string; maxpid: number; curproc: number };
  };
  pods: Array<{
    podRef: { name: string; namespace: string; uid: string };
    startTime?: string;
    containers: Array<{ name: string; startTime?: string; cpu: CPUStats; memory: MemoryStats; rootfs?: FsStats }>;
    cpu: CPUStats;
    memory: MemoryStats;
    network?: NetworkStats;
    volume?: Array<FsStats & { name: string }>;
    'ephemeral-storage'?: FsStats;
  }>;
}

/** Seconds, as metav1.Time writes them. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** CPU rates from one scrape to the next, by what was measured (the node, a pod, a container). */
export class CPURates {
  private previous = new Map<string, { at: number; used: number }>();

  /** Nanocores used since the last sample of `key`; undefined for its first, or after a counter reset. */
  rate(key: string, at: number, usedNanoSeconds: number, seen: Map<string, { at: number; used: number }>): number | undefined {
    seen.set(key, { at, used: usedNanoSeconds });
    const before = this.previous.get(key);
    if (!before || at <= before.at || usedNanoSeconds < before.used) return undefined;
    return Math.round(((usedNanoSeconds - before.used) / ((at - before.at) * 1e6)) * 1e9);
  }

  /** Keeps this scrape's samples for the next; what is gone (stopped containers) is forgotten. */
  keep(seen: Map<string, { at: number; used: number }>): void {
    this.previous = seen;
  }
}

/** Usage on a filesystem: what is used, with the filesystem's own size and free space when known. */
function onFilesystem(time: string, used: { bytes: number; inodes?: number }, fs: FsStats | undefined): FsStats {
  return {
    time,
    ...(fs ? { availableBytes: fs.availableBytes, capacityBytes: fs.capacityBytes } : {}),
    usedBytes: used.bytes,
    ...(fs ? { inodesFree: fs.inodesFree, inodes: fs.inodes } : {}),
    ...(used.inodes !== undefined ? { inodesUsed: used.inodes } : {}),
  };
}

/** The node's filesystem, image filesystem and process ids from the eviction signals, read at `at`. */
function nodeResources(o: Observations, at: number): Pick<Summary['node'], 'fs' | 'runtime' | 'rlimit'> {
  const time = rfc3339(at);
  const fs = (bytes: 'nodefs.available' | 'imagefs.available', inodes: 'nodefs.inodesFree' | 'imagefs.inodesFree'): FsStats | undefined => {
    const b = o.get(bytes);
    const i = o.get(inodes);
    if (!b || !i) return undefined;
    return { time, availableBytes: b.available, capacityBytes: b.capacity, usedBytes: b.capacity - b.available, inodesFree: i.available, inodes: i.capacity, inodesUsed: i.capacity - i.available };
  };
  const node = fs('nodefs.available', 'nodefs.inodesFree');
  const image = fs('imagefs.available', 'imagefs.inodesFree');
  const pids = o.get('pid.available');
  return {
    ...(node ? { fs: node } : {}),
    ...(image ? { runtime: { imageFs: image } } : {}),
    ...(pids ? { rlimit: { time, maxpid: pids.capacity, curproc: pids.capacity - pids.available } } : {}),
  };
}

export function summaryOf(
  nodeName: string,
  kubeletStart: number,
  usage: Usage,
  rates: CPURates,
  podStart: (uid: string) => string | undefined,
  observations: Observations = new Map(),
  /** Each pod's local storage, by uid, when measured. */
  storage: Map<string, PodStorage> = new Map(),
): Summary {
  const seen = new Map<string, { at: number; used: number }>();
  const cpu = (key: string, at: number, used: number): CPUStats => {
    const usageNanoCores = rates.rate(key, at, used, seen);
    return { time: rfc3339(at), ...(usageNanoCores !== undefined ? { usageNanoCores } : {}), usageCoreNanoSeconds: used };
  };
  const resources = nodeResources(observations, usage.node?.timestamp ?? Date.now());
  const summary: Summary = {
    node: {
      nodeName,
      startTime: rfc3339(kubeletStart),
      ...(usage.node
        ? {
            cpu: cpu('node', usage.node.timestamp, usage.node.cpuUsageCoreNanoSeconds),
            memory: {
              time: rfc3339(usage.node.timestamp),
              ...(observations.has('memory.available') ? { availableBytes: observations.get('memory.available')!.available } : {}),
              workingSetBytes: usage.node.memoryWorkingSetBytes,
            },
          }
        : {}),
      ...(usage.nodeNetwork ? { network: networkStats(usage.nodeNetwork.timestamp, usage.nodeNetwork.interfaces) } : {}),
      ...resources,
    },
    pods: usage.pods.map((p) => {
      const newest = Math.max(...p.containers.map((c) => c.stats.timestamp));
      const sum = (f: (c: (typeof p.containers)[number]) => number) => p.containers.reduce((n, c) => n + f(c), 0);
      const started = podStart(p.uid);
      const stored = storage.get(p.uid);
      const storedAt = rfc3339(newest);
      const rootfs = (name: string) => {
        const bytes = stored?.containers.find((c) => c.name === name)?.diskBytes;
        return bytes === undefined ? {} : { rootfs: onFilesystem(storedAt, { bytes }, resources.runtime?.imageFs) };
      };
      return {
        podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
        ...(started ? { startTime: started } : {}),
        containers: p.containers.map((c) => ({
          name: c.name,
          ...(c.startedAt !== undefined ? { startTime: rfc3339(c.startedAt) } : {}),
          cpu: cpu(`container/${p.uid}/${c.name}`, c.stats.timestamp, c.stats.cpuUsageCoreNanoSeconds),
          memory: { time: rfc3339(c.stats.timestamp), workingSetBytes: c.stats.memoryWorkingSetBytes },
          ...rootfs(c.name),
        })),
        cpu: cpu(`pod/${p.uid}`, newest, sum((c) => c.stats.cpuUsageCoreNanoSeconds)),
        memory: { time: rfc3339(newest), workingSetBytes: sum((c) => c.stats.memoryWorkingSetBytes) },
        ...(p.network ? { network: networkStats(p.network.timestamp, p.network.interfaces) } : {}),
        ...(stored?.volumes.size ? { volume: [...stored.volumes].map(([name, bytes]) => ({ ...onFilesystem(storedAt, { bytes, inodes: stored.volumeInodes?.get(name) }, resources.fs), name })) } : {}),
        ...(stored?.disk ? { 'ephemeral-storage': onFilesystem(storedAt, stored.disk, resources.fs) } : {}),
      };
    }),
  };
  rates.keep(seen);
  return summary;
}
