// A node's heartbeat: a Lease in kube-node-lease, renewed every quarter of its duration
// (10 s of 40 s by default) as Kubernetes' kubelet does, owned by the Node so it goes with it.
// The kubelet keeps one; the simulated nodes keep one per node.
import type { Logger } from 'pino';
import { StatusError } from '../api/status.js';
import { microTime } from '../api/time.js';
import type { Lease } from '../api/types/coordination.js';
import type { ApiClient } from './api-client.js';
import { resource } from './rest.js';
import { sleep } from './sleep.js';

const leases = resource('coordination.k8s.io/v1/leases');

export class NodeLease {
  private lease?: Lease;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly durationSeconds: number,
    /** The registered Node's uid, once known, for the owner reference. */
    private readonly nodeUid: () => string | undefined,
    private readonly log?: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep((this.durationSeconds * 1000) / 4, signal);
      if (signal.aborted) break;
      await this.renew().catch((err) => this.log?.warn({ err: (err as Error).message }, 'could not renew node lease'));
    }
  }

  async renew(): Promise<void> {
    const name = this.nodeName;
    const spec = { holderIdentity: name, leaseDurationSeconds: this.durationSeconds, renewTime: microTime() };
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
      const uid = this.nodeUid();
      const owner = uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid }] : undefined;
      this.lease = await this.client.create(leases, 'kube-node-lease', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease', ...(owner ? { ownerReferences: owner } : {}) },
        spec,
      });
    }
  }
}
