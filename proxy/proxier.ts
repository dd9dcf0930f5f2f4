// The proxy's control loop: informers on Services and EndpointSlices mark the state dirty; the
// backend is re-synced with the whole service map at most once per --iptables-min-sync-period
// (bursts of changes collapse into one sync) and at least once per --iptables-sync-period.
// Nothing is programmed before the informers have their first list. Nodes are followed only
// for which of them are local (local-nodes.ts); the health check node ports follow each sync.
import type { Logger } from 'pino';
import type { Node, Service } from '../api/types/core.js';
import type { EndpointSlice } from '../api/types/discovery.js';
import { Informer } from '../client/informer.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { sleep } from '../client/sleep.js';
import type { ProxyBackend } from './iptables.js';
import type { HealthCheckServers } from './health-check-server.js';
import { LocalNodes, trimNode } from './local-nodes.js';
import { buildServiceMap } from './service-map.js';

export interface ProxierOptions {
  minSyncMs: number;
  syncPeriodMs: number;
  /** This proxy's node (--hostname-override). */
  nodeName: string;
  healthChecks?: HealthCheckServers;
}

export class Proxier {
  readonly services: Informer<Service>;
  readonly slices: Informer<EndpointSlice>;
  readonly nodes: Informer<Node>;
  readonly localNodes: LocalNodes;
  private dirty = true;
  private wake?: () => void;
  syncs = 0;
  errors = 0;
  lastSyncMs = 0;
  lastSyncAt = 0;

  constructor(
    client: ApiClient,
    private readonly backend: ProxyBackend,
    private readonly opts: ProxierOptions,
    private readonly log: Logger,
  ) {
    this.services = new Informer<Service>(client, resource('v1/services'), {}, log);
    this.slices = new Informer<EndpointSlice>(client, resource('discovery.k8s.io/v1/endpointslices'), {}, log);
    const changed = () => this.markDirty();
    for (const inf of [this.services, this.slices]) inf.addHandler({ add: changed, update: changed, delete: changed });
    this.localNodes = new LocalNodes(opts.nodeName);
    this.nodes = new Informer<Node>(client, resource('v1/nodes'), { transform: trimNode }, log);
    // A node's heartbeat changes nothing here; only a change in which nodes are local does.
    const observe = (node: Node, deleted = false) => {
      if (this.localNodes.observe(node, deleted)) this.markDirty();
    };
    this.nodes.addHandler({ add: (n) => observe(n), update: (_o, n) => observe(n), delete: (n) => observe(n, true) });
  }

  private markDirty(): void {
    this.dirty = true;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const informing = Promise.all([this.services.run(signal), this.slices.run(signal), this.nodes.run(signal)]);
    await Promise.race([Promise.all([this.services.synced, this.slices.synced, this.nodes.synced]), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    await this.backend.init();
    while (!signal.aborted) {
      if (this.dirty || Date.now() - this.lastSyncAt >= this.opts.syncPeriodMs) {
        this.dirty = false;
        const started = Date.now();
        try {
          const ports = buildServiceMap(this.services.list(), this.slices.list(), this.localNodes.names);
          await this.backend.sync(ports);
          this.opts.healthChecks?.sync(ports);
          this.syncs++;
        } catch (err) {
          this.errors++;
          this.dirty = true;
          this.log.error({ err: (err as Error).message }, 'proxy rules sync failed');
        }
        this.lastSyncAt = Date.now();
        this.lastSyncMs = this.lastSyncAt - started;
        await sleep(this.opts.minSyncMs, signal);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        const t = setTimeout(resolve, Math.max(10, this.opts.syncPeriodMs - (Date.now() - this.lastSyncAt)));
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      this.wake = undefined;
    }
    this.opts.healthChecks?.close();
    await this.backend.cleanup();
    await informing;
  }
}
