// Reads a kubelet's /metrics/resource (the Prometheus text format) into samples: the node's
// and each container's cumulative CPU and memory working set, with their sample times (pure).
// Other families and lines are skipped; a malformed line is skipped, not fatal.

export interface Sample {
  /** Cumulative CPU, in core-seconds. */
  cpu?: number;
  memory?: number;
  /** Milliseconds since the epoch: the kubelet's timestamp, else the scrape's. */
  time: number;
}

export interface NodeScrape {
  node?: Sample;
  /** By "namespace/pod/container". */
  containers: Map<string, Sample & { namespace: string; pod: string; container: string }>;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
// A name starts where a word starts (else a long word not followed by `="` takes quadratic time).
const LABEL = /(?<![a-zA-Z0-9_])([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescape(v: string): string {
  return v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

export function parseResourceMetrics(text: string, scrapedAt: number): NodeScrape {
  const out: NodeScrape = { containers: new Map() };
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const [, name, , labelText, raw, ts] = m;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const time = ts ? Number(ts) : scrapedAt;
    if (name === 'node_cpu_usage_seconds_total' || name === 'node_memory_working_set_bytes') {
      out.node ??= { time };
      if (name === 'node_cpu_usage_seconds_total') out.node.cpu = value;
      else out.node.memory = value;
      out.node.time = Math.max(out.node.time, time);
      continue;
    }
    if (name !== 'container_cpu_usage_seconds_total' && name !== 'container_memory_working_set_bytes') continue;
    const labels: Record<string, string> = {};
    for (const l of (labelText ?? '').matchAll(LABEL)) labels[l[1]!] = unescape(l[2]!);
    const { namespace, pod, container } = labels;
    if (!namespace || !pod || !container) continue;
    const key = `${namespace}/${pod}/${container}`;
    let s = out.containers.get(key);
    if (!s) out.containers.set(key, (s = { namespace, pod, container, time }));
    if (name === 'container_cpu_usage_seconds_total') s.cpu = value;
    else s.memory = value;
    s.time = Math.max(s.time, time);
  }
  return out;
}
