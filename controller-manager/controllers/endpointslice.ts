// The EndpointSlice controller: for each Service with a selector, discovery.k8s.io/v1
// EndpointSlices (one per distinct set of resolved ports, at most 100 endpoints each) labelled
// kubernetes.io/service-name and owned by the Service. Each endpoint carries ready / serving /
// terminating conditions, its node and its pod.
import type { Service } from '../../api/types/core.js';
import type { EndpointSlice, EndpointSlicePort } from '../../api/types/discovery.js';
import type { Pod } from '../../api/types/pod.js';
import { canonical } from '../../api/canonical.js';
import { StatusError } from '../../api/status.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { MANAGED_BY_LABEL, portsKey, selectsPods, serviceEndpoints, SERVICE_NAME_LABEL, targetRef, trackManagedSlices, watchServicePods, type ServiceEndpoint } from './service-endpoints.js';

const slices = resource('discovery.k8s.io/v1/endpointslices');
const CONTROLLER = 'endpointslice-controller.k8s.io';
const MAX_PER_SLICE = 100;

/** A port as the apiserver stores it (name "" when unnamed, protocol set): what we compare with what is there. */
function storedPort(p: EndpointSlicePort): EndpointSlicePort {
  return { name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
}

export class EndpointSliceController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly slicesOf: (key: string) => EndpointSlice[];

  constructor(ctx: ControllerContext) {
    super('endpointslice', ctx);
    this.services = ctx.informers.for('v1/services');
    this.pods = ctx.informers.for('v1/pods');
    this.slices = ctx.informers.for('discovery.k8s.io/v1/endpointslices');
    this.slicesOf = trackManagedSlices(this.slices, CONTROLLER, (key) => this.queue.add(key));
    watchServicePods(this.services, this.pods, (s) => this.enqueue(s));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const namespace = key.split('/')[0]!;
    const svc = this.services.get(key);
    const existing = this.slicesOf(key);
    // Without the Service (or its selector) there is nothing to manage; owned slices also go with it through GC.
    const wanted = svc && selectsPods(svc) ? this.desired(serviceEndpoints(svc, this.pods.byIndex('namespace', namespace))) : [];

    const unused = [...existing];
    try {
      for (const want of wanted) {
        // Reuse a slice with the same ports when there is one.
        const i = unused.findIndex((s) => portsKey((s.ports ?? []).map(storedPort)) === portsKey(want.ports.map(storedPort)));
        const reuse = i >= 0 ? unused.splice(i, 1)[0] : undefined;
        const body = this.body(svc!, want);
        if (!reuse) {
          await this.ctx.client.create(slices, namespace, body);
        } else if (canonical(reuse.endpoints ?? []) !== canonical(body.endpoints) || canonical((reuse.ports ?? []).map(storedPort)) !== canonical(body.ports) || canonical(reuse.metadata.labels) !== canonical(body.metadata.labels)) {
          await this.ctx.client.update(slices, { ...body, metadata: { ...reuse.metadata, labels: body.metadata.labels } });
        }
      }
      for (const s of unused) await this.ctx.client.delete(slices, namespace, s.metadata.name!, { preconditions: { uid: s.metadata.uid } });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return { requeueAfterMs: 100 };
      throw err;
    }
  }

  /** Endpoints grouped by their ports, cut into slices of at most MAX_PER_SLICE. */
  private desired(eps: ServiceEndpoint[]): Array<{ ports: EndpointSlicePort[]; endpoints: ServiceEndpoint[] }> {
    const groups = new Map<string, { ports: EndpointSlicePort[]; endpoints: ServiceEndpoint[] }>();
    for (const ep of eps) {
      const k = portsKey(ep.ports);
      (groups.get(k) ?? groups.set(k, { ports: ep.ports, endpoints: [] }).get(k)!).endpoints.push(ep);
    }
    // A selector that matches nothing still gets an empty slice with the service's ports, as Kubernetes does.
    if (groups.size === 0) return [{ ports: [], endpoints: [] }];
    const out: Array<{ ports: EndpointSlicePort[]; endpoints: ServiceEndpoint[] }> = [];
    for (const g of groups.values()) for (let i = 0; i < g.endpoints.length; i += MAX_PER_SLICE) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_PER_SLICE) });
    return out;
  }

  private body(svc: Service, want: { ports: EndpointSlicePort[]; endpoints: ServiceEndpoint[] }): EndpointSlice {
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: svc.metadata.name!, [MANAGED_BY_LABEL]: CONTROLLER };
    if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${svc.metadata.name}-`,
        namespace: svc.metadata.namespace,
        labels,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: want.endpoints.map((ep) => ({
        addresses: [ep.ip],
        conditions: { ready: ep.ready, serving: ep.serving, terminating: ep.terminating },
        // A pod whose subdomain is this Service is named <hostname>.<service> in DNS.
        ...(ep.pod.spec.hostname && ep.pod.spec.subdomain === svc.metadata.name ? { hostname: ep.pod.spec.hostname } : {}),
        ...(ep.pod.spec.nodeName ? { nodeName: ep.pod.spec.nodeName } : {}),
        targetRef: targetRef(ep.pod),
      })),
      ports: want.ports.map(storedPort),
    };
  }
}
