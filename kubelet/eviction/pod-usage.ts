// What each pod on the node uses, measured for the eviction manager when it has to choose: memory
// and processes from the runtime's counters of its running containers; disk from its containers'
// writable layers and from its directory on the node (its emptyDir volumes, each counted on its
// own, and the files the kubelet keeps for it), walked without following links.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../../api/types/pod.js';
import { podDir } from '../container/volumes.js';
import { LABEL_NODE, LABEL_POD_UID } from '../pod/observed.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { collectUsage } from '../stats/collector.js';
import type { PodUsage } from './ranking.js';

export interface DiskUsage {
  bytes: number;
  inodes: number;
}

/** Space a tree takes on disk (allocated blocks, as du counts) and its inodes, leaving out the subtrees at `skip` (full paths). */
export async function diskUsage(path: string, skip: ReadonlySet<string> = new Set()): Promise<DiskUsage> {
  const total: DiskUsage = { bytes: 0, inodes: 0 };
  const walk = async (p: string): Promise<void> => {
    if (skip.has(p)) return;
    let st;
    try {
      st = await lstat(p);
    } catch {
      return; // gone meanwhile
    }
    total.bytes += st.blocks * 512;
    total.inodes += 1;
    if (!st.isDirectory()) return;
    for (const e of await readdir(p).catch(() => [] as string[])) await walk(join(p, e));
  };
  await walk(path);
  return total;
}

export interface Measure {
  memory?: boolean;
  disk?: boolean;
}

/** Measures `pods`; one whose figures cannot be read is left out (and ranked first, as Kubernetes ranks a pod without stats). */
export async function measurePods(runtime: ContainerRuntime, nodeName: string, rootDir: string, pods: Pod[], what: Measure): Promise<Map<string, PodUsage>> {
  const out = new Map<string, PodUsage>();
  const wanted = new Set(pods.map((p) => p.metadata.uid!));
  for (const p of pods) out.set(p.metadata.uid!, { containers: [], volumes: new Map() });
  if (what.memory) {
    const usage = await collectUsage(runtime, nodeName);
    for (const p of usage.pods) {
      const u = out.get(p.uid);
      if (!u || !wanted.has(p.uid)) continue;
      u.memory = p.containers.reduce((n, c) => n + c.stats.memoryWorkingSetBytes, 0);
      const counted = p.containers.filter((c) => typeof c.stats.processCount === 'number');
      if (counted.length) u.processes = counted.reduce((n, c) => n + c.stats.processCount!, 0);
      for (const c of p.containers) u.containers.push({ name: c.name, memory: c.stats.memoryWorkingSetBytes });
    }
  }
  if (what.disk) {
    // One listing of the node's containers, not one per pod.
    const byPod = new Map<string, Awaited<ReturnType<ContainerRuntime['listContainers']>>>();
    for (const c of await runtime.listContainers({ labels: { [LABEL_NODE]: nodeName } })) {
      const uid = c.labels[LABEL_POD_UID] ?? '';
      const list = byPod.get(uid);
      if (list) list.push(c);
      else byPod.set(uid, [c]);
    }
    await Promise.all(
      pods.map(async (pod) => {
        const uid = pod.metadata.uid!;
        const u = out.get(uid)!;
        const containers = byPod.get(uid) ?? [];
        const disk: DiskUsage = { bytes: 0, inodes: 0 };
        for (const c of containers) {
          const bytes = await runtime.containerDiskUsage(c.id).catch(() => 0);
          disk.bytes += bytes;
          const entry = u.containers.find((x) => x.name === c.metadata.name);
          if (entry) entry.diskBytes = (entry.diskBytes ?? 0) + bytes;
          else u.containers.push({ name: c.metadata.name, diskBytes: bytes });
        }
        const dir = podDir(rootDir, uid);
        const emptyDirs = join(dir, 'volumes', 'kubernetes.io~empty-dir');
        for (const v of pod.spec.volumes ?? []) {
          if (!v.emptyDir || v.emptyDir.medium) continue;
          const used = await diskUsage(join(emptyDirs, v.name));
          u.volumes.set(v.name, used.bytes);
          (u.volumeInodes ??= new Map()).set(v.name, used.inodes);
          disk.bytes += used.bytes;
          disk.inodes += used.inodes;
        }
        // The rest of its directory: projected files, termination messages, /etc/hosts.
        const rest = await diskUsage(dir, new Set([emptyDirs]));
        disk.bytes += rest.bytes;
        disk.inodes += rest.inodes;
        u.disk = disk;
      }),
    );
  }
  return out;
}
