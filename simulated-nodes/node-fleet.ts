// The simulated nodes themselves: registered (or adopted) with the capacity, labels and taints
// given, their Leases in kube-node-lease renewed every quarter of the lease duration (spread
// evenly over that time, not all at once), their status written at registration, every 5
// minutes, and again whenever the API shows them other than Ready (the node lifecycle
// controller marked them Unknown while the simulator was away), as a kubelet does.
import type { Logger } from 'pino';
import { nodeStatusPatch } from '../api/kubelet-patches.js';
import { StatusError } from '../api/status.js';
import { rfc3339 } from '../api/time.js';
import type { Node, Taint } from '../api/types/core.js';
import type { ApiClient } from '../client/api-client.js';
import { Informer } from '../client/informer.js';
import { NodeLease } from '../client/node-lease.js';
import { resource } from '../client/rest.js';
import { sleep } from '../client/sleep.js';
import { nodeAddress } from './addresses.js';
import type { Limiter } from './limiter.js';

const nodes = resource('v1/nodes');
const REPORT_MS = 5 * 60_000;
export const SIMULATED_LABEL = 'kubette.io/simulated';
export const KUBELET_VERSION = 'v1.32.0';

export interface FleetOptions {
  names: string[];
  capacity: Record<string, string>;
  labels: Record<string, string>;
  taints: Taint[];
  leaseDurationSeconds: number;
  /** The port the Nodes advertise for their kubelet API (nothing serves logs or exec there). */
  kubeletPort: number;
}

export class NodeFleet {
  readonly informer: Informer<Node>;
  private readonly leases = new Map<string, NodeLease>();
  private readonly uids = new Map<string, string>();
  private readonly reportedAt = new Map<string, number>();
  readonly index = new Map<string, number>();
  registered = 0;
  leaseRenewals = 0;
  errors = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: FleetOptions,
    private readonly limiter: Limiter,
    private readonly log: Logger,
  ) {
    opts.names.forEach((n, i) => this.index.set(n, i));
    this.informer = new Informer<Node>(client, nodes, { labelSelector: `${SIMULATED_LABEL}=true` }, log.child({ informer: 'nodes' }));
    this.informer.addHandler({ update: (_old, n) => this.onNode(n) });
  }

  owns(name: string | undefined): boolean {
    return name !== undefined && this.index.has(name);
  }

  hostIP(name: string): string {
    return nodeAddress(this.index.get(name)!);
  }

  private nodeObject(name: string): Node {
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', [SIMULATED_LABEL]: 'true', ...this.opts.labels },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: this.opts.taints.length ? { taints: this.opts.taints } : {},
    };
  }

  private status(name: string, prior?: Node): Record<string, unknown> {
    const now = rfc3339();
    const before = (type: string, status: string) => prior?.status?.conditions?.find((c) => c.type === type && c.status === status)?.lastTransitionTime as string | undefined;
    const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: before(type, status) ?? now, reason, message });
    return {
      capacity: this.opts.capacity,
      allocatable: this.opts.capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status (simulated node)'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.hostIP(name) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.opts.kubeletPort } },
      nodeInfo: {
        machineID: name,
        systemUUID: name,
        bootID: name,
        kernelVersion: 'simulated',
        osImage: 'kubette simulated node',
        containerRuntimeVersion: 'simulated://1.0.0',
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    };
  }

  private async register(name: string): Promise<void> {
    let node: Node;
    try {
      // With its status, as a kubelet registers: one write per node, Ready from it.
      node = await this.client.create(nodes, undefined, { ...this.nodeObject(name), status: this.status(name) });
      this.reportedAt.set(name, Date.now());
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      node = await this.client.patch(nodes, undefined, name, { metadata: { labels: this.nodeObject(name).metadata.labels } }, 'merge');
      await this.reportStatus(name, node);
    }
    this.uids.set(name, node.metadata.uid!);
    await this.renewLease(name);
    this.registered++;
  }

  private async reportStatus(name: string, prior?: Node): Promise<void> {
    await this.client.patch(nodes, undefined, name, { status: nodeStatusPatch(this.status(name, prior)) }, 'strategic', 'status');
    this.reportedAt.set(name, Date.now());
  }

  /** A Node the API shows as not Ready (or Unknown) is reported again at once. */
  private onNode(n: Node): void {
    const name = n.metadata.name!;
    if (!this.owns(name) || !this.reportedAt.has(name)) return;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return;
    void this.limiter.run(() => this.reportStatus(name, n)).catch((err) => {
      this.errors++;
      this.log.warn({ node: name, err: (err as Error).message }, 'could not report node status');
    });
  }

  private lease(name: string): NodeLease {
    let lease = this.leases.get(name);
    if (!lease) this.leases.set(name, (lease = new NodeLease(this.client, name, this.opts.leaseDurationSeconds, () => this.uids.get(name))));
    return lease;
  }

  private async renewLease(name: string): Promise<void> {
    await this.lease(name).renew();
    this.leaseRenewals++;
  }

  /** Registers every node (a few at a time), then keeps each one's Lease and status current. */
  async run(signal: AbortSignal): Promise<void> {
    const informing = this.informer.run(signal);
    await Promise.all(
      this.opts.names.map(async (name) => {
        for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 10_000)) {
          try {
            await this.limiter.run(() => this.register(name));
            return;
          } catch (err) {
            this.errors++;
            this.log.warn({ node: name, err: (err as Error).message, retryInMs: delay }, 'could not register simulated node');
            await sleep(delay, signal);
          }
        }
      }),
    );
    if (signal.aborted) return void (await informing);
    this.log.info({ nodes: this.registered }, 'simulated nodes registered');
    const every = (this.opts.leaseDurationSeconds * 1000) / 4;
    await Promise.all([
      informing,
      ...this.opts.names.map(async (name, i) => {
        // Spread over the renew interval: N nodes make N/interval steady writes, no bursts.
        await sleep((every * i) / this.opts.names.length, signal);
        while (!signal.aborted) {
          await this.limiter.run(async () => {
            await this.renewLease(name);
            if (Date.now() - (this.reportedAt.get(name) ?? 0) >= REPORT_MS) await this.reportStatus(name, this.informer.get(name));
          }).catch(async (err) => {
            this.errors++;
            this.log.warn({ node: name, err: (err as Error).message }, 'could not renew simulated node lease');
            // Someone deleted the Node: register it again, as a kubelet does.
            if (err instanceof StatusError && err.code === 404) await this.limiter.run(() => this.register(name)).catch(() => undefined);
          });
          await sleep(every, signal);
        }
      }),
    ]);
  }
}
