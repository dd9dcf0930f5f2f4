// The node as the kubelet reports it: registration (labels, taints, capacity) and status
// (conditions, pressure included; capacity and allocatable with advertised extended resources;
// addresses, nodeInfo, images, daemonEndpoints), written when it changes, when the API shows
// otherwise, or every 5 minutes, as Kubernetes' kubelet does.
import { totalmem } from 'node:os';
import type { Logger } from 'pino';
import { KUBELET_NODE_CONDITIONS, nodeStatusPatch } from '../../api/kubelet-patches.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { Node } from '../../api/types/core.js';
import { resource } from '../../client/rest.js';
import type { ApiClient } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/events.js';
import { sleep } from '../../client/sleep.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { NodeConfig } from './config.js';
import { allocatable, capacity, filesystemBytes, goArch, nodeInfo } from './machine.js';
import { evictionReservation } from '../eviction/thresholds.js';
import { isExtendedResource } from '../../api/pod-resources.js';

const nodes = resource('v1/nodes');
const csiNodes = resource('storage.k8s.io/v1/csinodes');
const REPORT_MS = 5 * 60_000;

/** What a kubelet's events about its node refer to: the Node, with its name for a uid (as Kubernetes' kubelet does; `kubectl describe node` looks both up). */
export const nodeReference = (nodeName: string) => ({ kind: 'Node', metadata: { name: nodeName, uid: nodeName } });

/** The event a kubelet records when one of its node conditions takes a status. */
const CONDITION_EVENTS: Record<string, Record<string, string>> = {
  MemoryPressure: { False: 'NodeHasSufficientMemory', True: 'NodeHasInsufficientMemory' },
  DiskPressure: { False: 'NodeHasNoDiskPressure', True: 'NodeHasDiskPressure' },
  PIDPressure: { False: 'NodeHasSufficientPID', True: 'NodeHasInsufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

/** The extended resources in a Node's capacity (example.com/dongle: "4"), in name order. */
function extendedResources(node: Node | undefined): Record<string, string> {
  const capacity = (node?.status?.capacity ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.keys(capacity).filter(isExtendedResource).sort().map((k) => [k, capacity[k]!]));
}

/** Conditions without their times, to tell a change of state from a heartbeat. */
const withoutTimes = (conds: Array<Record<string, unknown>> | undefined) => (conds ?? []).map(({ lastHeartbeatTime: _h, lastTransitionTime: _t, ...c }) => c);
const comparable = (status: Record<string, unknown>) => JSON.stringify({ ...status, conditions: withoutTimes(status.conditions as Array<Record<string, unknown>>) });

export class NodeStatusReporter {
  private node?: Node;
  private lastReported = '';
  private lastReportAt = 0;
  private runtimeVersion = '';
  private runtimeHealthy = false;

  constructor(
    private readonly client: ApiClient,
    private readonly runtime: ContainerRuntime,
    private readonly config: NodeConfig,
    private readonly log: Logger,
    private readonly recorder?: EventRecorder,
    /** The resource pressure the node is under now (the eviction manager's conditions). */
    private readonly pressure: () => readonly string[] = () => [],
  ) {}

  capacity(): Record<string, string> {
    return capacity(this.config.maxPods, this.config.rootDir);
  }

  allocatable(): Record<string, string> {
    const c = this.config;
    const held = evictionReservation(c.evictionThresholds ?? [], totalmem(), filesystemBytes(c.rootDir));
    return allocatable(c.maxPods, c.reserved, c.rootDir, held);
  }

  /** The registered Node's uid (for the Lease's owner reference). */
  uid(): string | undefined {
    return this.node?.metadata.uid;
  }

  private nodeObject(): Node {
    const c = this.config;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: c.nodeName,
        labels: {
          'kubernetes.io/hostname': c.nodeName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': goArch(),
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': goArch(),
          ...c.labels,
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: c.taints.length ? { taints: c.taints } : {},
    };
  }

  /** Creates the Node, or adopts the existing one (a restarted kubelet) with our labels on it. */
  async register(signal: AbortSignal): Promise<void> {
    for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 7000)) {
      try {
        try {
          // With its status, as Kubernetes' kubelet registers: Ready from the first write.
          const status = await this.status();
          this.node = await this.client.create(nodes, undefined, { ...this.nodeObject(), status });
          this.reported(status);
          this.log.info({ node: this.config.nodeName }, 'registered node');
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) throw err;
          const wanted = this.nodeObject();
          this.node = await this.client.patch(nodes, undefined, this.config.nodeName, { metadata: { labels: wanted.metadata.labels } }, 'merge');
          this.log.info({ node: this.config.nodeName }, 'node already registered; adopted it');
          await this.reportStatus(true);
        }
        await this.ensureCSINode();
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'could not register node');
        await sleep(delay, signal);
      }
    }
  }

  /**
   * The node's CSINode, owned by the Node (so it goes with it), with no drivers: this kubelet
   * runs none, and a CSI driver's registrar would add its entry. As Kubernetes' kubelet makes it.
   */
  private async ensureCSINode(): Promise<void> {
    const uid = this.node?.metadata.uid;
    if (!uid) return;
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.config.nodeName, uid }];
    try {
      try {
        await this.client.create(csiNodes, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: this.config.nodeName, ownerReferences }, spec: { drivers: [] } });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err;
        // Left from a Node of the same name that was deleted: owned by this one now.
        const existing = await this.client.get(csiNodes, undefined, this.config.nodeName);
        const owners = (existing.metadata.ownerReferences ?? []) as Array<{ uid?: string }>;
        if (!owners.some((o) => o.uid === uid)) await this.client.patch(csiNodes, undefined, this.config.nodeName, { metadata: { ownerReferences } }, 'merge');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not create the CSINode');
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.config.statusUpdateMs, signal);
      if (signal.aborted) break;
      await this.reportStatus(false).catch(async (err) => {
        this.log.warn({ err: (err as Error).message }, 'could not update node status');
        // Someone deleted our Node: register it again, as the kubelet does.
        if (err instanceof StatusError && err.code === 404) await this.register(signal);
      });
    }
  }

  private async probeRuntime(): Promise<void> {
    try {
      const v = await this.runtime.version();
      this.runtimeVersion = `${v.name}://${v.version}`;
      this.runtimeHealthy = true;
    } catch {
      this.runtimeHealthy = false;
    }
  }

  async status(): Promise<Record<string, unknown>> {
    await this.probeRuntime();
    const now = rfc3339();
    const prior = (this.node?.status?.conditions ?? []) as Array<{ type: string; status: string; lastTransitionTime?: string }>;
    const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => {
      const before = prior.find((c) => c.type === type);
      // A condition that takes a new status is announced (all of them when the kubelet starts).
      if (before?.status !== status) {
        // In the log too: a node that stays NotReady says why, beside its Events.
        if (type === 'Ready') this.log.info({ node: this.config.nodeName, ready: status, reason }, 'node Ready condition changed');
        const event = CONDITION_EVENTS[type]![status]!;
        this.recorder?.event(nodeReference(this.config.nodeName), 'Normal', event, `Node ${this.config.nodeName} status is now: ${event}`);
      }
      return { type, status, lastHeartbeatTime: now, lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now, reason, message };
    };
    const images = this.runtimeHealthy ? await this.runtime.listImages().catch(() => []) : [];
    const under = new Set(this.pressure());
    // Extended resources someone advertised in the Node's capacity are allocatable in full, and
    // one withdrawn from capacity leaves allocatable too (null deletes it in the merge patch).
    // Their capacity is the advertiser's: the patch leaves it alone, so a report made from a
    // Node read before a withdrawal cannot put the resource back.
    const extended = extendedResources(this.node);
    const withdrawn = Object.keys(this.node?.status?.allocatable ?? {}).filter((k) => isExtendedResource(k) && !(k in extended));
    return {
      capacity: this.capacity(),
      allocatable: { ...this.allocatable(), ...extended, ...Object.fromEntries(withdrawn.map((k) => [k, null])) },
      conditions: [
        under.has('MemoryPressure')
          ? cond('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
          : cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        under.has('DiskPressure')
          ? cond('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure')
          : cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        under.has('PIDPressure')
          ? cond('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
          : cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        this.runtimeHealthy
          ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : cond('Ready', 'False', 'KubeletNotReady', 'container runtime is down: the kubelet cannot reach it'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.config.nodeIP },
        { type: 'Hostname', address: this.config.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.config.port } },
      nodeInfo: nodeInfo(this.runtimeVersion || 'docker://unknown'),
      images: images.slice(0, 50).map((i) => ({ names: i.names, sizeBytes: i.sizeBytes })),
    };
  }

  /** `status` is what the API holds now: the next report is due only when it changes (or REPORT_MS passes). */
  private reported(status: Record<string, unknown>): void {
    this.lastReported = comparable(status);
    this.lastReportAt = Date.now();
  }

  /**
   * Writes status when it changed (heartbeat times aside), when the Node in the API says
   * otherwise (the node lifecycle controller marked it Unknown while we were away), or when
   * the report is due anyway.
   */
  async reportStatus(force: boolean): Promise<void> {
    let status = await this.status();
    const comparableNow = comparable(status);
    let stale = false;
    if (!force && comparableNow === this.lastReported) {
      const live = await this.client.get(nodes, undefined, this.config.nodeName);
      // Conditions others set (a node problem detector's) are theirs: only ours are compared.
      const ours = (live.status?.conditions ?? []).filter((c: { type?: unknown }) => KUBELET_NODE_CONDITIONS.has(String(c.type)));
      stale =
        JSON.stringify(withoutTimes(ours)) !== JSON.stringify(withoutTimes(status.conditions as Array<Record<string, unknown>>)) ||
        // Extended resources advertised (or withdrawn) since: allocatable follows capacity.
        JSON.stringify(extendedResources(live)) !== JSON.stringify(extendedResources(this.node));
      if (stale) {
        this.node = live; // transition times now count from the state the API shows
        status = await this.status();
      }
    }
    if (!force && !stale && comparableNow === this.lastReported && Date.now() - this.lastReportAt < REPORT_MS) return;
    this.node = await this.client.patch(nodes, undefined, this.config.nodeName, { status: nodeStatusPatch(status) }, 'strategic', 'status');
    this.reported(status);
  }
}
