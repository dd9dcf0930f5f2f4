// The node's own CPU and memory use, read from the kernel: /proc/stat's busy time (every state
// but idle and iowait) and /proc/meminfo (total less what is available). A kubelet in a
// container reads the host's figures: these files are not namespaced.
import { readFile } from 'node:fs/promises';
import type { NodeUsage } from './resource-metrics.js';

/** The kernel's clock ticks per second for /proc/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export function parseProcStat(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busyTicks = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return (busyTicks / USER_HZ) * 1e9;
}

/** /proc/meminfo's MemTotal and MemAvailable, in bytes. */
export function meminfoTotals(text: string): { total: number; available: number } {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total === undefined || available === undefined) throw new Error('no MemTotal/MemAvailable in /proc/meminfo');
  return { total, available };
}

/** The node's memory working set: total less what is available. */
export function parseMeminfo(text: string): number {
  const { total, available } = meminfoTotals(text);
  return Math.max(0, total - available);
}

export async function nodeUsage(): Promise<NodeUsage> {
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
  return { timestamp: Date.now(), cpuUsageCoreNanoSeconds: parseProcStat(stat), memoryWorkingSetBytes: parseMeminfo(meminfo) };
}
