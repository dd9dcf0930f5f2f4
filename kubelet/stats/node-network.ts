// The node's network interfaces' counters, from /proc/net/dev of the kubelet's network namespace
// (the host's: the kubelet runs in it), leaving out what cAdvisor leaves out of a node's
// figures: loopback and the container side of the runtime's interfaces (lo*, veth*, docker*).
import { readFile } from 'node:fs/promises';
import type { NetworkInterfaceStats } from '../runtime/runtime.js';

const IGNORED_PREFIXES = ['lo', 'veth', 'docker', 'nerdctl'];

/** The interfaces of a /proc/net/dev text: receive bytes and errors are its 1st and 3rd columns, transmit its 9th and 11th. */
export function parseNetDev(text: string): NetworkInterfaceStats[] {
  const out: NetworkInterfaceStats[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || IGNORED_PREFIXES.some((p) => name.startsWith(p))) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.push({ name, rxBytes: f[0]!, rxErrors: f[2]!, txBytes: f[8]!, txErrors: f[10]! });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function nodeNetwork(): Promise<NetworkInterfaceStats[]> {
  return parseNetDev(await readFile('/proc/net/dev', 'utf8'));
}
