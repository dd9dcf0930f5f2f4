// The proxy's control loop: informers on Services and EndpointSlices mark the state dirty; the
// backend is re-synced with the whole service map at most once per --iptables-min-sync-period
// (bursts of changes collapse into one sync) and at least once per --iptables-sync-period.
// Nothing is programmed before both informers have their first list.
import type { Logger } from 'pino';
import type { Service } from '../api/types/core.js';
import type { EndpointSlice } from '../api/types/discovery.js';
import { Informer } from '../client/informer.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { sleep } from '../client/sleep.js';
import type { ProxyBackend } from './iptables.js';
import { buildServiceMap } from './service-map.js';

export interface ProxierOptions {
  minSyncMs: number;
  syncPeriodMs: number;
}

export class Proxier {
  readonly services: Informer<Service>;
  readonly slices: Informer<EndpointSlice>;
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
  }

  private markDirty(): void {
    this.dirty = true;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const informing = Promise.all([this.services.run(signal), this.slices.run(signal)]);
    await Promise.race([Promise.all([this.services.synced, this.slices.synced]), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    await this.backend.init();
    while (!signal.aborted) {
      if (this.dirty || Date.now() - this.lastSyncAt >= this.opts.syncPeriodMs) {
        this.dirty = false;
        const started = Date.now();
        try {
          await this.backend.sync(buildServiceMap(this.services.list(), this.slices.list()));
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
    await this.backend.cleanup();
    await informing;
  }
}
