// Gathers what /metrics/resource and /stats/summary report: every running container of this
// node's pods (one runtime listing, then each container's counters at once) and the node's own
// usage. A container that cannot be read is left out and flagged (resource_scrape_error), as
// the kubelet does, so one bad container does not hide the rest.
import { LABEL_NODE, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pod/observed.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { nodeUsage } from './node-usage.js';
import { formatResourceMetrics, type NodeUsage, type PodUsage } from './resource-metrics.js';

export interface Usage {
  node?: NodeUsage;
  pods: Array<PodUsage & { uid: string }>;
  /** Something could not be read (left out). */
  failed: boolean;
}

export async function collectUsage(runtime: ContainerRuntime, nodeName: string, readNode: () => Promise<NodeUsage> = nodeUsage): Promise<Usage> {
  let failed = false;
  const [containers, node] = await Promise.all([
    runtime.listContainers({ labels: { [LABEL_NODE]: nodeName } }).catch(() => {
      failed = true;
      return [];
    }),
    readNode().catch(() => {
      failed = true;
      return undefined;
    }),
  ]);
  const pods = new Map<string, PodUsage & { uid: string }>();
  await Promise.all(
    containers
      .filter((c) => c.state === 'running')
      .map(async (c) => {
        let stats;
        try {
          stats = await runtime.containerStats(c.id);
        } catch {
          // Stopped between the listing and now, or unreadable: not this scrape's.
          failed = true;
          return;
        }
        const uid = c.labels[LABEL_POD_UID] ?? '';
        let pod = pods.get(uid);
        if (!pod) pods.set(uid, (pod = { uid, namespace: c.labels[LABEL_POD_NAMESPACE] ?? '', name: c.labels[LABEL_POD_NAME] ?? '', containers: [] }));
        const startedAt = c.startedAt ? Date.parse(c.startedAt) : NaN;
        pod.containers.push({ name: c.metadata.name, ...(Number.isNaN(startedAt) ? {} : { startedAt }), stats });
      }),
  );
  const ordered = [...pods.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  for (const p of ordered) p.containers.sort((a, b) => a.name.localeCompare(b.name));
  return { node, pods: ordered, failed };
}

export async function collectResourceMetrics(runtime: ContainerRuntime, nodeName: string, readNode: () => Promise<NodeUsage> = nodeUsage): Promise<string> {
  const usage = await collectUsage(runtime, nodeName, readNode);
  return formatResourceMetrics(usage.node, usage.pods, usage.failed);
}
