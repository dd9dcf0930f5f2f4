// The EndpointSlice mirroring controller (kube-controller-manager's "endpointslicemirroring"):
// a Service without a selector gets its endpoints from an Endpoints object its user writes (the
// "Services without selectors" pattern, e.g. a database outside the cluster); the proxy and
// DNS read EndpointSlices, so that Endpoints object is mirrored into slices labelled
// kubernetes.io/service-name, managed by endpointslicemirroring-controller.k8s.io and owned by
// the Endpoints: one per address type and set of ports, ready addresses ready and the others
// not. Endpoints labelled endpointslice.kubernetes.io/skip-mirror=true, those of a Service
// with a selector (the endpoints controller's) and leader-election records are not mirrored.
import type { Endpoints, EndpointAddress, Service } from '../../api/types/core.js';
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../api/types/discovery.js';
import { canonical } from '../../api/canonical.js';
import { ipBytes, formatIPBytes } from '../../api/ip.js';
import { StatusError } from '../../api/status.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { MANAGED_BY_LABEL, portsKey, selectsPods, SERVICE_NAME_LABEL, trackManagedSlices } from './service-endpoints.js';

const slices = resource('discovery.k8s.io/v1/endpointslices');
const CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
const SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
/** Annotations of the Endpoints that are not copied: the last change time and kubectl's record. */
const NOT_COPIED = new Set(['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration']);
const MAX_PER_SLICE = 1000;

type Wanted = { addressType: 'IPv4' | 'IPv6'; ports: EndpointSlicePort[]; endpoints: Endpoint[] };

/** An Endpoints address as a slice endpoint; undefined for an address that is not an IP. */
function endpointOf(address: EndpointAddress, ready: boolean): { endpoint: Endpoint; addressType: 'IPv4' | 'IPv6' } | undefined {
  let bytes = typeof address?.ip === 'string' ? ipBytes(address.ip) : undefined;
  if (!bytes) return undefined;
  // An IPv4-mapped IPv6 address is the IPv4 address it carries, as Go reads it.
  if (bytes.length === 16 && bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) bytes = bytes.subarray(12);
  return {
    // Written as the canonical form of the IP, whatever form the Endpoints used.
    endpoint: {
      addresses: [formatIPBytes(bytes)],
      conditions: { ready },
      ...(address.hostname ? { hostname: address.hostname } : {}),
      ...(address.nodeName ? { nodeName: address.nodeName } : {}),
      ...(address.targetRef ? { targetRef: address.targetRef } : {}),
    },
    addressType: bytes.length === 4 ? 'IPv4' : 'IPv6',
  };
}

/** The slices an Endpoints object mirrors to: grouped by address type and ports, at most MAX_PER_SLICE endpoints each. */
export function mirroredSlices(endpoints: Endpoints): Wanted[] {
  const groups = new Map<string, Wanted>();
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointSlicePort[] = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const seen = new Set<string>();
    for (const [list, ready] of [
      [subset.addresses, true],
      [subset.notReadyAddresses, false],
    ] as const) {
      for (const address of list ?? []) {
        const made = endpointOf(address, ready);
        if (!made || seen.has(made.endpoint.addresses[0]!)) continue;
        seen.add(made.endpoint.addresses[0]!);
        const key = `${made.addressType}/${portsKey(ports)}`;
        (groups.get(key) ?? groups.set(key, { addressType: made.addressType, ports, endpoints: [] }).get(key)!).endpoints.push(made.endpoint);
      }
    }
  }
  const out: Wanted[] = [];
  for (const g of groups.values()) for (let i = 0; i < g.endpoints.length; i += MAX_PER_SLICE) out.push({ ...g, endpoints: g.endpoints.slice(i, i + MAX_PER_SLICE) });
  return out;
}

export class EndpointSliceMirroringController extends Controller {
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly slicesOf: (key: string) => EndpointSlice[];

  constructor(ctx: ControllerContext) {
    super('endpointslicemirroring', ctx);
    this.services = ctx.informers.for('v1/services');
    this.endpoints = ctx.informers.for('v1/endpoints');
    this.slices = ctx.informers.for('discovery.k8s.io/v1/endpointslices');
    this.slicesOf = trackManagedSlices(this.slices, CONTROLLER, (key) => this.queue.add(key));
    const changed = (o: Service | Endpoints) => this.enqueue(o);
    this.services.addHandler({ add: changed, update: (_o, s) => changed(s), delete: changed });
    this.endpoints.addHandler({ add: changed, update: (_o, e) => changed(e), delete: changed });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const namespace = key.split('/')[0]!;
    const svc = this.services.get(key);
    const ep = this.endpoints.get(key);
    const mirror = svc && !selectsPods(svc) && svc.spec?.type !== 'ExternalName' && ep && ep.metadata.labels?.[SKIP_MIRROR] !== 'true' && !ep.metadata.annotations?.[LEADER_ANNOTATION];
    const wanted = mirror ? mirroredSlices(ep) : [];
    const unused = [...this.slicesOf(key)];
    try {
      for (const want of wanted) {
        const i = unused.findIndex((s) => s.addressType === want.addressType && portsKey(s.ports ?? []) === portsKey(want.ports));
        const reuse = i >= 0 ? unused.splice(i, 1)[0] : undefined;
        const body = this.body(ep!, want);
        if (!reuse) await this.ctx.client.create(slices, namespace, body);
        else if (canonical(reuse.endpoints ?? []) !== canonical(body.endpoints) || canonical(reuse.ports ?? []) !== canonical(body.ports) || canonical(reuse.metadata.labels) !== canonical(body.metadata.labels) || canonical(reuse.metadata.annotations ?? {}) !== canonical(body.metadata.annotations ?? {})) {
          await this.ctx.client.update(slices, { ...body, metadata: { ...reuse.metadata, labels: body.metadata.labels, annotations: body.metadata.annotations } });
        }
      }
      for (const s of unused) await this.ctx.client.delete(slices, namespace, s.metadata.name!, { preconditions: { uid: s.metadata.uid } });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return { requeueAfterMs: 100 };
      throw err;
    }
  }

  private body(ep: Endpoints, want: Wanted): EndpointSlice {
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(ep.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) annotations[k] = v;
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${ep.metadata.name}-`,
        namespace: ep.metadata.namespace,
        labels: { ...(ep.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: ep.metadata.name!, [MANAGED_BY_LABEL]: CONTROLLER },
        ...(Object.keys(annotations).length ? { annotations } : {}),
        ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata.name!, uid: ep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      addressType: want.addressType,
      endpoints: want.endpoints,
      ports: want.ports,
    };
  }
}
