// LoadBalancer Services on a machine with no cloud: they work as NodePort Services (the
// apiserver gives them node ports) and this controller reports the nodes' addresses as their
// ingress, as k3s's ServiceLB does.
import type { Node, Service } from '../../api/types/core.js';
import { canonical } from '../../api/canonical.js';
import { StatusError } from '../../api/status.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { isNodeReady } from '../../api/conditions.js';

const services = resource('v1/services');

export class ServiceLBController extends Controller {
  private readonly services: Informer<Service>;
  private readonly nodes: Informer<Node>;

  constructor(ctx: ControllerContext) {
    super('servicelb', ctx);
    this.services = ctx.informers.for('v1/services');
    this.nodes = ctx.informers.for('v1/nodes');
    this.services.addHandler({ add: (s) => this.enqueue(s), update: (_o, s) => this.enqueue(s) });
    const all = () => this.services.list().forEach((s) => s.spec?.type === 'LoadBalancer' && this.enqueue(s));
    this.nodes.addHandler({ add: all, update: (o, n) => canonical(o.status?.addresses) !== canonical(n.status?.addresses) && all(), delete: all });
  }

  /** InternalIPs of the nodes that are Ready, sorted. */
  private ingress(): Array<{ ip: string; ipMode: string }> {
    const ips = new Set<string>();
    for (const n of this.nodes.list()) {
      const ready = isNodeReady(n);
      const ip = (n.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
      if (ready && ip) ips.add(ip);
    }
    return [...ips].sort().map((ip) => ({ ip, ipMode: 'VIP' }));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const svc = this.services.get(key);
    if (!svc) return;
    const want = svc.spec?.type === 'LoadBalancer' ? this.ingress() : [];
    const have = svc.status?.loadBalancer?.ingress ?? [];
    if (canonical(have) === canonical(want)) return;
    try {
      await this.ctx.client.patch<Service>(services, svc.metadata.namespace, svc.metadata.name!, { metadata: { uid: svc.metadata.uid }, status: { loadBalancer: want.length ? { ingress: want } : {} } }, 'merge', 'status');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
