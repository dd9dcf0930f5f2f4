// The Endpoints controller: for each Service with a selector, an Endpoints object of the same
// name listing its pods' addresses (ready ones in `addresses`, the rest in
// `notReadyAddresses`), grouped into subsets by their resolved ports. Pod changes reach it
// through the informer at once.
import type { EndpointAddress, EndpointPort, Endpoints, Service } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import { canonical } from '../../api/canonical.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { portsKey, selectsPods, serviceEndpoints, targetRef, watchServicePods } from './service-endpoints.js';

const endpoints = resource('v1/endpoints');
const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';

export class EndpointsController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(ctx: ControllerContext) {
    super('endpoint', ctx);
    this.services = ctx.informers.for('v1/services');
    this.pods = ctx.informers.for('v1/pods');
    this.endpoints = ctx.informers.for('v1/endpoints');
    watchServicePods(this.services, this.pods, (s) => this.enqueue(s));
    // Someone else changing our Endpoints gets it put back.
    this.endpoints.addHandler({ update: (_o, e) => this.services.get(objectKey(e)) && this.queue.add(objectKey(e)), delete: (e) => this.services.get(objectKey(e)) && this.queue.add(objectKey(e)) });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!svc) {
      if (current) await this.ctx.client.delete(endpoints, namespace, name).catch((err) => { if (!(err instanceof StatusError && err.code === 404)) throw err; });
      return;
    }
    if (!selectsPods(svc)) return; // without a selector, Endpoints are the user's to write

    const subsets = new Map<string, { addresses: EndpointAddress[]; notReadyAddresses: EndpointAddress[]; ports: EndpointPort[] }>();
    for (const ep of serviceEndpoints(svc, this.pods.byIndex('namespace', namespace))) {
      if (ep.terminating && !svc.spec?.publishNotReadyAddresses) continue;
      const k = portsKey(ep.ports);
      const subset = subsets.get(k) ?? subsets.set(k, { addresses: [], notReadyAddresses: [], ports: ep.ports }).get(k)!;
      const address: EndpointAddress = {
        ip: ep.ip,
        ...(ep.pod.spec.hostname && ep.pod.spec.subdomain === name ? { hostname: ep.pod.spec.hostname } : {}),
        ...(ep.pod.spec.nodeName ? { nodeName: ep.pod.spec.nodeName } : {}),
        targetRef: targetRef(ep.pod),
      };
      (ep.ready ? subset.addresses : subset.notReadyAddresses).push(address);
    }
    const list = [...subsets.values()].map((s) => ({
      ...(s.addresses.length ? { addresses: s.addresses } : {}),
      ...(s.notReadyAddresses.length ? { notReadyAddresses: s.notReadyAddresses } : {}),
      ports: s.ports,
    }));
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    if (current && canonical(current.subsets ?? []) === canonical(list) && canonical(current.metadata.labels ?? {}) === canonical(labels)) return;
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels, annotations: { ...(current?.metadata.annotations ?? {}), [TRIGGER]: rfc3339() } },
      subsets: list,
    };
    try {
      if (current) await this.ctx.client.update(endpoints, { ...body, metadata: { ...current.metadata, labels, annotations: body.metadata.annotations } });
      else await this.ctx.client.create(endpoints, namespace, body);
    } catch (err) {
      // 409 on create: it exists and the cache trails; on update: a newer version. Either way, again.
      if (err instanceof StatusError && err.code === 409) return { requeueAfterMs: 100 };
      throw err;
    }
  }
}
