// The node as the kubelet reports it: registration (labels, taints, capacity), status (conditions,
// addresses, nodeInfo, images, daemonEndpoints) written when it changes or every 5 minutes, and
// the heartbeat Lease in kube-node-lease renewed every quarter of its 40 s duration (10 s), as
// Kubernetes' kubelet does.
import { readFileSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import type { Logger } from 'pino';
import { parseQuantity } from '../api/quantity.js';
import { StatusError } from '../api/status.js';
import { microTime, rfc3339 } from '../api/time.js';
import type { KubeObject } from '../api/types/meta.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { sleep } from '../client/sleep.js';
import type { ContainerRuntime } from './runtime/runtime.js';

const nodes = resource('v1/nodes');
const leases = resource('coordination.k8s.io/v1/leases');

export const KUBELET_VERSION = 'v1.32.0';
const REPORT_MS = 5 * 60_000;

export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  port: number;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
  maxPods: number;
  /** Resources held back from pods (--system-reserved). */
  reserved: Record<string, string>;
  /** The Lease's duration (--node-lease-duration-seconds); it is renewed every quarter of it. */
  leaseDurationSeconds: number;
  /** How often node status is computed and, when changed, written (--node-status-update-frequency). */
  statusUpdateMs: number;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? 'Linux';
}

export function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/** Parses "key=value:Effect,key:Effect" (--register-with-taints). */
export function parseTaints(spec: string): NodeConfig['taints'] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [kv, effect] = s.split(':');
      if (!effect || !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) throw new Error(`invalid taint ${s}: effect must be NoSchedule, PreferNoSchedule or NoExecute`);
      const [key, value] = kv!.split('=');
      return { key: key!, ...(value !== undefined ? { value } : {}), effect };
    });
}

/** Parses "k=v,k2=v2" (--node-labels, --system-reserved). */
export function parseKeyValues(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid key=value pair ${part}`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

export class NodeStatusReporter {
  private node?: KubeObject;
  private lastReported = '';
  private lastReportAt = 0;
  private runtimeVersion = '';
  private runtimeHealthy = false;
  private lease?: KubeObject;

  constructor(
    private readonly client: ApiClient,
    private readonly runtime: ContainerRuntime,
    private readonly config: NodeConfig,
    private readonly log: Logger,
  ) {}

  capacity(): Record<string, string> {
    return {
      cpu: String(cpus().length),
      memory: `${Math.floor(totalmem() / 1024)}Ki`,
      pods: String(this.config.maxPods),
    };
  }

  allocatable(): Record<string, string> {
    const cap = this.capacity();
    const out = { ...cap };
    const reservedCpu = parseQuantity(this.config.reserved.cpu);
    if (reservedCpu) out.cpu = `${Math.max(0, Math.round(Number(cap.cpu) * 1000 - reservedCpu * 1000))}m`;
    const reservedMem = parseQuantity(this.config.reserved.memory);
    if (reservedMem) out.memory = `${Math.max(0, Math.floor((totalmem() - reservedMem) / 1024))}Ki`;
    return out;
  }

  private nodeObject(): KubeObject {
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
          this.node = await this.client.create(nodes, undefined, this.nodeObject());
          this.log.info({ node: this.config.nodeName }, 'registered node');
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) throw err;
          const wanted = this.nodeObject();
          this.node = await this.client.patch(nodes, undefined, this.config.nodeName, { metadata: { labels: wanted.metadata.labels } }, 'merge');
          this.log.info({ node: this.config.nodeName }, 'node already registered; adopted it');
        }
        await this.reportStatus(true);
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'could not register node');
        await sleep(delay, signal);
      }
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const heartbeat = async () => {
      while (!signal.aborted) {
        await sleep((this.config.leaseDurationSeconds * 1000) / 4, signal);
        if (signal.aborted) break;
        await this.renewLease().catch((err) => this.log.warn({ err: (err as Error).message }, 'could not renew node lease'));
      }
    };
    const status = async () => {
      while (!signal.aborted) {
        await sleep(this.config.statusUpdateMs, signal);
        if (signal.aborted) break;
        await this.reportStatus(false).catch(async (err) => {
          this.log.warn({ err: (err as Error).message }, 'could not update node status');
          // Someone deleted our Node: register it again, as the kubelet does.
          if (err instanceof StatusError && err.code === 404) await this.register(signal);
        });
      }
    };
    await Promise.all([heartbeat(), status()]);
  }

  async renewLease(): Promise<void> {
    const name = this.config.nodeName;
    const spec = { holderIdentity: name, leaseDurationSeconds: this.config.leaseDurationSeconds, renewTime: microTime() };
    if (this.lease) {
      try {
        this.lease = await this.client.update(leases, { ...this.lease, spec: { ...this.lease.spec, ...spec } });
        return;
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
        this.lease = undefined;
      }
    }
    try {
      const current = await this.client.get(leases, 'kube-node-lease', name);
      this.lease = await this.client.update(leases, { ...current, spec: { ...current.spec, ...spec } });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      const owner = this.node?.metadata.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.node.metadata.uid }] : undefined;
      this.lease = await this.client.create(leases, 'kube-node-lease', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease', ...(owner ? { ownerReferences: owner } : {}) },
        spec,
      });
    }
  }

  private async probeRuntime(): Promise<void> {
    try {
      this.runtimeVersion = (await this.runtime.version()).version;
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
      return { type, status, lastHeartbeatTime: now, lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now, reason, message };
    };
    const images = this.runtimeHealthy ? await this.runtime.listImages().catch(() => []) : [];
    return {
      capacity: this.capacity(),
      allocatable: this.allocatable(),
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        this.runtimeHealthy
          ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : cond('Ready', 'False', 'KubeletNotReady', 'container runtime is down: cannot reach the Docker engine'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.config.nodeIP },
        { type: 'Hostname', address: this.config.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.config.port } },
      nodeInfo: {
        machineID: readOr('/etc/machine-id', ''),
        systemUUID: readOr('/sys/class/dmi/id/product_uuid', readOr('/etc/machine-id', '')),
        bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
        kernelVersion: release(),
        osImage: osImage(),
        containerRuntimeVersion: `docker://${this.runtimeVersion || 'unknown'}`,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: goArch(),
      },
      images: images.slice(0, 50).map((i) => ({ names: i.names, sizeBytes: i.sizeBytes })),
    };
  }

  /**
   * Writes status when it changed (heartbeat times aside), when the Node in the API says
   * otherwise (the node lifecycle controller marked it Unknown while we were away), or when
   * the report is due anyway.
   */
  async reportStatus(force: boolean): Promise<void> {
    let status = await this.status();
    const strip = (conds: Array<Record<string, unknown>> | undefined) => (conds ?? []).map(({ lastHeartbeatTime: _h, lastTransitionTime: _t, ...c }) => c);
    const comparable = JSON.stringify({ ...status, conditions: strip(status.conditions as Array<Record<string, unknown>>) });
    let stale = false;
    if (!force && comparable === this.lastReported) {
      const live = await this.client.get(nodes, undefined, this.config.nodeName);
      stale = JSON.stringify(strip(live.status?.conditions)) !== JSON.stringify(strip(status.conditions as Array<Record<string, unknown>>));
      if (stale) {
        this.node = live; // transition times now count from the state the API shows
        status = await this.status();
      }
    }
    if (!force && !stale && comparable === this.lastReported && Date.now() - this.lastReportAt < REPORT_MS) return;
    this.node = await this.client.patch(nodes, undefined, this.config.nodeName, { status }, 'merge', 'status');
    this.lastReported = comparable;
    this.lastReportAt = Date.now();
  }
}
