// The kubelet's resource metrics (/metrics/resource), in the Prometheus text format and with
// the stable names metrics-server and Prometheus read: cumulative CPU core-seconds and memory
// working set for the node, each pod and each container, each sample with its time (pure).
import type { ContainerStats } from '../runtime/runtime.js';

export interface PodUsage {
  namespace: string;
  name: string;
  containers: Array<{ name: string; startedAt?: number; stats: ContainerStats }>;
}

export interface NodeUsage {
  timestamp: number;
  cpuUsageCoreNanoSeconds: number;
  memoryWorkingSetBytes: number;
}

/** A label value as the text format quotes it. */
function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}=${quote(v)}`).join(',')}}`;
const seconds = (ns: number) => String(ns / 1e9);

function family(out: string[], name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, string, number]>): void {
  out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`);
  for (const [l, value, time] of samples) out.push(`${name}${l} ${value} ${Math.round(time)}`);
}

export function formatResourceMetrics(node: NodeUsage | undefined, pods: PodUsage[], scrapeError: boolean): string {
  const out: string[] = [];
  const each = pods.flatMap((p) => p.containers.map((c) => ({ pod: p, c })));
  const containerLabels = (p: PodUsage, c: { name: string }) => labels({ container: c.name, namespace: p.namespace, pod: p.name });
  family(out, 'container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds', each.map(({ pod, c }) => [containerLabels(pod, c), seconds(c.stats.cpuUsageCoreNanoSeconds), c.stats.timestamp]));
  family(out, 'container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes', each.map(({ pod, c }) => [containerLabels(pod, c), String(c.stats.memoryWorkingSetBytes), c.stats.timestamp]));
  family(
    out,
    'container_start_time_seconds',
    'gauge',
    'Start time of the container since unix epoch in seconds',
    each.filter(({ c }) => c.startedAt !== undefined).map(({ pod, c }) => [containerLabels(pod, c), String(c.startedAt! / 1000), c.stats.timestamp]),
  );
  if (node) {
    family(out, 'node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds', [['', seconds(node.cpuUsageCoreNanoSeconds), node.timestamp]]);
    family(out, 'node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes', [['', String(node.memoryWorkingSetBytes), node.timestamp]]);
  }
  const podSum = (p: PodUsage, f: (s: ContainerStats) => number) => p.containers.reduce((n, c) => n + f(c.stats), 0);
  const newest = (p: PodUsage) => Math.max(...p.containers.map((c) => c.stats.timestamp));
  const withContainers = pods.filter((p) => p.containers.length > 0);
  const podLabels = (p: PodUsage) => labels({ namespace: p.namespace, pod: p.name });
  family(out, 'pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds', withContainers.map((p) => [podLabels(p), seconds(podSum(p, (s) => s.cpuUsageCoreNanoSeconds)), newest(p)]));
  family(out, 'pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes', withContainers.map((p) => [podLabels(p), String(podSum(p, (s) => s.memoryWorkingSetBytes)), newest(p)]));
  out.push('# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise', '# TYPE resource_scrape_error gauge', `resource_scrape_error ${scrapeError ? 1 : 0}`);
  return out.join('\n') + '\n';
}
