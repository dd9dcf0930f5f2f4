// What the eviction manager observes of the node for each signal: how much is available and of
// what capacity. Memory from /proc/meminfo (total, and what the kernel says it can hand out
// without swapping, the working set's complement), the node's filesystem (the kubelet's root
// directory) and the image filesystem (the runtime's, when this kubelet can see it; else the
// node's, as Kubernetes treats a runtime on the same disk) from statfs, and process ids from
// the kernel's limits (pid_max, threads-max) less the tasks that exist (/proc/loadavg).
import { readFile, statfs } from 'node:fs/promises';
import type { Signal } from './thresholds.js';
import { meminfoTotals } from '../stats/node-usage.js';

export interface Observation {
  available: number;
  capacity: number;
}

export type Observations = Map<Signal, Observation>;

export function parseMemory(meminfo: string): Observation {
  const { total, available } = meminfoTotals(meminfo);
  return { capacity: total, available: Math.min(available, total) };
}

/** The tasks that exist, from /proc/loadavg ("0.5 0.4 0.3 2/345 6789": 345). */
export function parseTaskCount(loadavg: string): number {
  const m = /^\S+ \S+ \S+ \d+\/(\d+) /.exec(loadavg);
  if (!m) throw new Error('unexpected /proc/loadavg');
  return Number(m[1]);
}

export function pidObservation(pidMax: number, threadsMax: number, tasks: number): Observation {
  const capacity = Math.min(pidMax, threadsMax);
  return { capacity, available: capacity - tasks };
}

async function filesystem(path: string): Promise<{ bytes: Observation; inodes: Observation }> {
  const s = await statfs(path);
  return {
    bytes: { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize },
    inodes: { capacity: s.files, available: s.ffree },
  };
}

/**
 * Reads every signal it can; one that cannot be read is left out (its thresholds are then not
 * judged, as Kubernetes does with a signal it has no observation for).
 */
export async function observeNode(nodeFsPath: string, imageFsPath: string | undefined): Promise<Observations> {
  const out: Observations = new Map();
  const [meminfo, nodefs, imagefs, pidMax, threadsMax, loadavg] = await Promise.all([
    readFile('/proc/meminfo', 'utf8').catch(() => undefined),
    filesystem(nodeFsPath).catch(() => undefined),
    imageFsPath ? filesystem(imageFsPath).catch(() => undefined) : Promise.resolve(undefined),
    readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => undefined),
    readFile('/proc/sys/kernel/threads-max', 'utf8').catch(() => undefined),
    readFile('/proc/loadavg', 'utf8').catch(() => undefined),
  ]);
  if (meminfo) {
    try {
      out.set('memory.available', parseMemory(meminfo));
    } catch {
      // left out
    }
  }
  if (nodefs) {
    out.set('nodefs.available', nodefs.bytes);
    out.set('nodefs.inodesFree', nodefs.inodes);
  }
  // The runtime's filesystem where this kubelet can see it; else the same disk as the node's.
  const image = imagefs ?? nodefs;
  if (image) {
    out.set('imagefs.available', image.bytes);
    out.set('imagefs.inodesFree', image.inodes);
  }
  if (pidMax && threadsMax && loadavg) {
    try {
      out.set('pid.available', pidObservation(Number(pidMax.trim()), Number(threadsMax.trim()), parseTaskCount(loadavg)));
    } catch {
      // left out
    }
  }
  return out;
}
