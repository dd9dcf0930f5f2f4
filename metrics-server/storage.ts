// The last two scrapes of every node, and what metrics.k8s.io serves from them: CPU as the
// rate between the two samples (nanocores), memory as the newest working set, each with the
// window it covers. A node or pod appears once two samples of it exist; a counter that went
// backwards (a restarted container) waits for the next pair, as metrics-server does.
import type { NodeScrape, Sample } from './resource-text.js';

export interface Usage {
  /** CPU in nanocores. */
  cpu: number;
  /** Memory working set in bytes. */
  memory: number;
  /** The newer sample's time (ms) and the span since the older one (ms). */
  time: number;
  windowMs: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  /** The node whose kubelet reported it. */
  node: string;
  time: number;
  windowMs: number;
  containers: Array<{ name: string; cpu: number; memory: number }>;
}

function rate(prev: Sample | undefined, next: Sample | undefined): Usage | undefined {
  if (!prev || !next || prev.cpu === undefined || next.cpu === undefined || next.memory === undefined) return undefined;
  const windowMs = next.time - prev.time;
  if (windowMs <= 0 || next.cpu < prev.cpu) return undefined;
  return { cpu: Math.round(((next.cpu - prev.cpu) / (windowMs / 1000)) * 1e9), memory: next.memory, time: next.time, windowMs };
}

export class MetricsStorage {
  private readonly scrapes = new Map<string, { prev?: NodeScrape; last: NodeScrape }>();

  /** Records a node's scrape (kept with the one before it). */
  store(node: string, scrape: NodeScrape): void {
    const had = this.scrapes.get(node);
    this.scrapes.set(node, { prev: had?.last, last: scrape });
  }

  /** Forgets nodes that are gone. */
  retain(nodes: ReadonlySet<string>): void {
    for (const n of this.scrapes.keys()) if (!nodes.has(n)) this.scrapes.delete(n);
  }

  node(name: string): Usage | undefined {
    const s = this.scrapes.get(name);
    return rate(s?.prev?.node, s?.last.node);
  }

  /** Every pod with a usage for each of its running containers. */
  pods(): PodUsage[] {
    const out: PodUsage[] = [];
    for (const [node, { prev, last }] of this.scrapes) {
      if (!prev) continue;
      const byPod = new Map<string, { namespace: string; name: string; containers: Array<{ name: string; u?: Usage }> }>();
      for (const [key, sample] of last.containers) {
        const podKey = `${sample.namespace}/${sample.pod}`;
        let p = byPod.get(podKey);
        if (!p) byPod.set(podKey, (p = { namespace: sample.namespace, name: sample.pod, containers: [] }));
        p.containers.push({ name: sample.container, u: rate(prev.containers.get(key), sample) });
      }
      for (const p of byPod.values()) {
        // A pod is reported whole or not at all: a container without a rate yet holds it back.
        if (p.containers.some((c) => !c.u)) continue;
        const time = Math.max(...p.containers.map((c) => c.u!.time));
        const windowMs = Math.max(...p.containers.map((c) => c.u!.windowMs));
        out.push({ namespace: p.namespace, name: p.name, node, time, windowMs, containers: p.containers.map((c) => ({ name: c.name, cpu: c.u!.cpu, memory: c.u!.memory })).sort((a, b) => a.name.localeCompare(b.name)) });
      }
    }
    return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }
}
