// The token cleaner (off by default, as in Kubernetes; kubeadm turns it on): a bootstrap
// token's Secret is deleted once its expiration has passed, so expired tokens do not pile up
// in kube-system. A token that never expires, or whose expiration cannot be read, is kept.
import { bootstrapTokenExpiry, isBootstrapTokenSecret } from '../../api/bootstrap-token.js';
import { StatusError } from '../../api/status.js';
import type { Secret } from '../../api/types/core.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const secrets = resource('v1/secrets');

export class TokenCleaner extends Controller {
  private readonly secrets: Informer<Secret>;

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    super('token-cleaner', ctx);
    this.secrets = ctx.informers.for<Secret>('v1/secrets');
    const consider = (s: Secret) => isBootstrapTokenSecret(s) && this.enqueue(s);
    this.secrets.addHandler({ add: consider, update: (_o, s) => consider(s) });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const secret = this.secrets.get(key);
    if (!secret || !isBootstrapTokenSecret(secret) || secret.metadata.deletionTimestamp) return;
    const expiry = bootstrapTokenExpiry(secret);
    if (expiry === undefined || Number.isNaN(expiry)) return;
    const left = expiry - this.now();
    if (left > 0) return { requeueAfterMs: left + 50 };
    try {
      // Only the Secret that expired: one made again under the same name is not this one.
      await this.ctx.client.delete(secrets, secret.metadata.namespace, secret.metadata.name!, { preconditions: { uid: secret.metadata.uid } });
      this.log.info({ secret: key }, 'deleted an expired bootstrap token');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
