// The `kubernetes` Service's Endpoints and EndpointSlice, kept equal to the apiservers that are
// alive, as Kubernetes' lease endpoint reconciler does (--endpoint-reconciler-type=lease): each
// apiserver holds a Lease in kube-system naming its advertised address and renews it; on every
// tick each one writes the addresses whose Leases are current. A clean stop gives the Lease up
// and takes the address out at once; a crashed server's address goes when its Lease expires.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { clone } from '../../api/codec/values.js';
import { parseSelector } from '../../api/labels.js';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import { microTime } from '../../api/time.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Registry } from './registry.js';

const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
const endpoints = findResource('', 'v1', 'endpoints')!;
const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

/** Kubernetes' label on apiserver identity Leases. */
export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
/** The address (host:port) pods reach this apiserver at. */
export const ADDRESS_ANNOTATION = 'kubette.io/advertise-address';

const portsKey = (ports: unknown) => ((ports ?? []) as Array<{ name?: string; port?: number; protocol?: string }>).map((p) => [p.name, p.port, p.protocol]);
/** What matters of the Endpoints: the addresses and ports. */
const endpointsKey = (o: KubeObject) =>
  JSON.stringify(((o.subsets ?? []) as Array<{ addresses?: Array<{ ip: string }>; ports?: unknown }>).map((s) => [(s.addresses ?? []).map((a) => a.ip).sort(), portsKey(s.ports)]));
const sliceKey = (o: KubeObject) => JSON.stringify([((o.endpoints ?? []) as Array<{ addresses?: string[] }>).map((e) => e.addresses?.[0]).sort(), portsKey(o.ports)]);

export interface EndpointReconcilerOptions {
  host: string;
  port: number;
  /** What tells this apiserver from others advertising the same address (behind one balancer): its host and port. */
  instance: string;
  /** How long a Lease stays current without renewal (Kubernetes' master lease: 15 s). */
  leaseSeconds: number;
  /** How often the Lease is renewed and the endpoints reconciled (Kubernetes: 10 s). */
  intervalMs: number;
  log: Logger;
}

export class EndpointReconciler {
  private timer: NodeJS.Timeout | undefined;
  private readonly leaseName: string;
  private readonly holder: string;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: Registry,
    private readonly opts: EndpointReconcilerOptions,
  ) {
    // Stable across restarts of this apiserver, distinct from every other one.
    const id = createHash('sha256').update(`${opts.host}:${opts.port}/${opts.instance}`).digest('hex').slice(0, 26);
    this.leaseName = `apiserver-${id}`;
    this.holder = `${this.leaseName}_${process.pid}`;
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick()).catch((err: Error) => this.opts.log.warn({ err: err.message }, 'kubernetes endpoints reconcile failed'));
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** A clean stop: this apiserver leaves the endpoints now, not when its Lease runs out. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    try {
      await this.registry.storeFor(leases).delete('kube-system', this.leaseName, {}, false);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    await this.reconcile();
  }

  private async tick(): Promise<void> {
    await this.renew();
    await this.reconcile();
  }

  private async renew(): Promise<void> {
    const now = microTime();
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.leaseName,
        namespace: 'kube-system',
        labels: { [IDENTITY_LABEL]: 'kube-apiserver' },
        annotations: { [ADDRESS_ANNOTATION]: `${this.opts.host}:${this.opts.port}` },
      },
      spec: { holderIdentity: this.holder, leaseDurationSeconds: this.opts.leaseSeconds, acquireTime: now, renewTime: now },
    };
    const store = this.registry.storeFor(leases);
    try {
      await store.create(clone(lease), false);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      await store.update('kube-system', this.leaseName, {
        dryRun: false,
        mutate: (current) => ({ ...current, metadata: { ...current.metadata, ...lease.metadata }, spec: { ...current.spec, ...lease.spec, acquireTime: current.spec?.acquireTime ?? now } }),
      });
    }
  }

  /** The addresses of the apiservers whose Leases are current, sorted. */
  private async liveAddresses(): Promise<string[]> {
    const list = await this.registry.storeFor(leases).list({ namespace: 'kube-system', labels: parseSelector(`${IDENTITY_LABEL}=kube-apiserver`), fields: [] });
    const now = Date.now();
    const hosts = new Set<string>();
    for (const { obj } of list.items) {
      const address = obj.metadata.annotations?.[ADDRESS_ANNOTATION];
      const renewed = Date.parse(String(obj.spec?.renewTime ?? ''));
      const duration = Number(obj.spec?.leaseDurationSeconds ?? 0);
      if (!address || !Number.isFinite(renewed) || renewed + duration * 1000 < now) continue;
      const cut = address.lastIndexOf(':');
      // All apiservers serve the Service on one port (Kubernetes requires it): others are not listed.
      if (Number(address.slice(cut + 1)) === this.opts.port) hosts.add(address.slice(0, cut));
    }
    return [...hosts].sort();
  }

  private async reconcile(): Promise<void> {
    const hosts = await this.liveAddresses();
    const port = { name: 'https', port: this.opts.port, protocol: 'TCP' };
    await this.write(endpoints, endpointsKey, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: hosts.length ? [{ addresses: hosts.map((ip) => ({ ip })), ports: [port] }] : [],
    });
    await this.write(slices, sliceKey, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: hosts.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [port],
    });
  }

  /** Creates the object, or replaces its content when what `key` sees differs (no write when it is already so). */
  private async write(r: typeof endpoints, key: (o: KubeObject) => string, obj: KubeObject): Promise<void> {
    const store = this.registry.storeFor(r);
    const { apiVersion: _v, kind: _k, metadata, ...content } = obj;
    try {
      const current = (await store.get('default', 'kubernetes')).obj;
      if (key(current) === key(obj)) return;
      await store.update('default', 'kubernetes', {
        dryRun: false,
        mutate: (cur) => ({ apiVersion: cur.apiVersion, kind: cur.kind, metadata: { ...cur.metadata, labels: metadata.labels }, ...clone(content) }),
      });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      try {
        await store.create(clone(obj), false);
      } catch (createErr) {
        // Another apiserver made it at the same moment: the next tick compares again.
        if (!(createErr instanceof StatusError && createErr.code === 409)) throw createErr;
      }
    }
  }
}
