// Gathers what /metrics/resource and /stats/summary report: every running container of this
// node's pods (one runtime listing, then each container's counters at once) and the node's own
// usage; for the Summary API also each ready sandbox's network counters and the node's
// interfaces. A container that cannot
// be read is left out and flagged (resource_scrape_error), as the kubelet does, so one bad
// container does not hide the rest.
import { LABEL_NODE, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pod/observed.js';
import type { ContainerRuntime, NetworkInterfaceStats, PodSandboxStats } from '../runtime/runtime.js';
import { nodeUsage } from './node-usage.js';
import { formatResourceMetrics, type NodeUsage, type PodUsage } from './resource-metrics.js';

export interface Usage {
  node?: NodeUsage;
  /** The node's network interfaces, when they could be read. */
  nodeNetwork?: { timestamp: number; interfaces: NetworkInterfaceStats[] };
  pods: Array<PodUsage & { uid: string; network?: PodSandboxStats }>;
  /** Something could not be read (left out). */
  failed: boolean;
}

export async function collectUsage(
  runtime: ContainerRuntime,
  nodeName: string,
  readNode: () => Promise<NodeUsage> = nodeUsage,
  /** Also the network counters (the Summary API's; /metrics/resource has none): the node's, read by this. */
  readNetwork?: () => Promise<NetworkInterfaceStats[]>,
): Promise<Usage> {
  let failed = false;
  const [containers, node, sandboxes, interfaces] = await Promise.all([
    runtime.listContainers({ labels: { [LABEL_NODE]: nodeName } }).catch(() => {
      failed = true;
      return [];
    }),
    readNode().catch(() => {
      failed = true;
      return undefined;
    }),
    readNetwork ? runtime.listPodSandboxes({ labels: { [LABEL_NODE]: nodeName } }).catch(() => []) : [],
    readNetwork?.().catch(() => undefined),
  ]);
  // Network counters are the pod's sandbox's; a sandbox with the host's network has none of its own.
  const networks = new Map<string, PodSandboxStats>();
  await Promise.all(
    sandboxes
      .filter((s) => s.state === 'ready')
      .map(async (s) => {
        const stats = await runtime.podSandboxStats(s.id).catch(() => undefined);
        if (stats?.interfaces.length) networks.set(s.labels[LABEL_POD_UID] ?? '', stats);
      }),
  );
  const pods = new Map<string, Usage['pods'][number]>();
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
  for (const p of ordered) {
    p.containers.sort((a, b) => a.name.localeCompare(b.name));
    const network = networks.get(p.uid);
    if (network) p.network = network;
  }
  return { node, ...(interfaces ? { nodeNetwork: { timestamp: Date.now(), interfaces } } : {}), pods: ordered, failed };
}

export async function collectResourceMetrics(runtime: ContainerRuntime, nodeName: string, readNode: () => Promise<NodeUsage> = nodeUsage): Promise<string> {
  const usage = await collectUsage(runtime, nodeName, readNode);
  return formatResourceMetrics(usage.node, usage.pods, usage.failed);
}
