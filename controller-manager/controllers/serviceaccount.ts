// The service account controller: every active namespace has a `default` ServiceAccount,
// recreated if someone deletes it.
import type { Namespace } from '../../api/types/core.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const serviceaccounts = resource('v1/serviceaccounts');

export class ServiceAccountController extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer;

  constructor(ctx: ControllerContext) {
    super('serviceaccount', ctx);
    this.namespaces = ctx.informers.for('v1/namespaces');
    this.accounts = ctx.informers.for('v1/serviceaccounts');
    this.namespaces.addHandler({ add: (n) => this.enqueue(n), update: (_o, n) => this.enqueue(n) });
    this.accounts.addHandler({ delete: (sa) => sa.metadata.name === 'default' && this.queue.add(sa.metadata.namespace!) });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const ns = this.namespaces.get(key);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.accounts.get(`${key}/default`)) return;
    try {
      await this.ctx.client.create<KubeObject>(serviceaccounts, key, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: key } });
    } catch (err) {
      // 409: it exists (the cache trails); 403: the namespace began terminating meanwhile.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 403 || err.code === 404))) throw err;
    }
  }
}
