// The root-CA publisher: every active namespace has the ConfigMap kube-root-ca.crt holding the
// CA that signs the apiserver's serving certificate, so pods (through their projected
// service-account volume) can verify https://kubernetes.default.svc. Edits and deletions of
// that ConfigMap are undone.
import type { ConfigMap, Namespace } from '../../api/types/core.js';
import { StatusError } from '../../api/status.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { ROOT_CA_CONFIGMAP } from '../../api/service-account-volume.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const configmaps = resource('v1/configmaps');
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCAPublisher extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly configmaps: Informer<ConfigMap>;

  constructor(
    ctx: ControllerContext,
    /** Empty for a plain-HTTP cluster: pods' volumes still need the ConfigMap to mount. */
    private readonly caPem: string,
  ) {
    super('root-ca-cert-publisher', ctx);
    this.namespaces = ctx.informers.for<Namespace>('v1/namespaces');
    this.configmaps = ctx.informers.for<ConfigMap>('v1/configmaps');
    this.namespaces.addHandler({ add: (n) => this.enqueue(n), update: (_o, n) => this.enqueue(n) });
    const mine = (cm: ConfigMap) => cm.metadata.name === ROOT_CA_CONFIGMAP && this.queue.add(cm.metadata.namespace!);
    this.configmaps.addHandler({ update: (_o, cm) => mine(cm), delete: mine });
  }

  async reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const current = this.configmaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    try {
      if (!current) {
        await this.ctx.client.create<ConfigMap>(configmaps, namespace, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': DESCRIPTION } },
          data: { 'ca.crt': this.caPem },
        });
        return;
      }
      const data = current.data ?? {};
      if (data['ca.crt'] === this.caPem && Object.keys(data).length === 1 && !current.binaryData) return;
      await this.ctx.client.update<ConfigMap>(configmaps, {
        ...current,
        metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, 'kubernetes.io/description': DESCRIPTION } },
        data: { 'ca.crt': this.caPem },
        binaryData: undefined,
      });
    } catch (err) {
      // 409: the cache trails a change (the update event requeues); 403/404: the namespace is going.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 403 || err.code === 404))) throw err;
    }
  }
}
