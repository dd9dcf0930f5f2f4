// The bootstrap signer (off by default, as in Kubernetes; kubeadm turns it on): the ConfigMap
// kube-public/cluster-info, which anyone may read, carries next to its `kubeconfig` a detached
// JWS of it for every bootstrap token that may sign (`usage-bootstrap-signing: "true"`, not
// expired): `jws-kubeconfig-<token id>`, HS256 keyed by the token's secret. A node that joins
// with a token checks that signature before it trusts the CA in that kubeconfig. Signatures of
// tokens that are gone, expired or no longer signing are removed.
import { createHmac } from 'node:crypto';
import { BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenExpiry, bootstrapTokenField, bootstrapTokenOf, isBootstrapTokenSecret } from '../../api/bootstrap-token.js';
import { StatusError } from '../../api/status.js';
import type { ConfigMap, Secret } from '../../api/types/core.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const configmaps = resource('v1/configmaps');
export const CLUSTER_INFO = 'kube-public/cluster-info';
const KUBECONFIG_KEY = 'kubeconfig';
const SIGNATURE_PREFIX = 'jws-kubeconfig-';

const base64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A compact JWS of `content` with its payload left out ("header..signature"), HS256 keyed by the token's secret, as kubeadm checks it. */
export function detachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  // The protected header with its keys in order, as Go's JSON encoder writes a map.
  const header = base64url(JSON.stringify({ alg: 'HS256', kid: tokenId }));
  const signature = createHmac('sha256', tokenSecret).update(`${header}.${base64url(content)}`).digest('base64url');
  return `${header}..${signature}`;
}

export class BootstrapSigner extends Controller {
  private readonly configmaps: Informer<ConfigMap>;
  private readonly secrets: Informer<Secret>;

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    super('bootstrap-signer', ctx);
    this.configmaps = ctx.informers.for<ConfigMap>('v1/configmaps');
    this.secrets = ctx.informers.for<Secret>('v1/secrets');
    const clusterInfo = (cm: ConfigMap) => `${cm.metadata.namespace}/${cm.metadata.name}` === CLUSTER_INFO && this.queue.add(CLUSTER_INFO);
    this.configmaps.addHandler({ add: clusterInfo, update: (_o, cm) => clusterInfo(cm) });
    const token = (s: Secret) => isBootstrapTokenSecret(s) && this.queue.add(CLUSTER_INFO);
    this.secrets.addHandler({ add: token, update: (_o, s) => token(s), delete: token });
  }

  /** The tokens that may sign now, by id; and when the first of them expires, if one does. */
  private signingTokens(): { tokens: Map<string, string>; nextExpiry?: number } {
    const tokens = new Map<string, string>();
    let nextExpiry: number | undefined;
    for (const s of this.secrets.list()) {
      if (s.metadata.namespace !== BOOTSTRAP_TOKEN_NAMESPACE || !isBootstrapTokenSecret(s) || s.metadata.deletionTimestamp) continue;
      const token = bootstrapTokenOf(s);
      if (!token || bootstrapTokenField(s, 'usage-bootstrap-signing') !== 'true') continue;
      const expiry = bootstrapTokenExpiry(s);
      if (expiry !== undefined && !Number.isNaN(expiry)) {
        if (expiry <= this.now()) continue;
        nextExpiry = Math.min(nextExpiry ?? Infinity, expiry);
      }
      tokens.set(token.id, token.secret);
    }
    return { tokens, ...(nextExpiry !== undefined ? { nextExpiry } : {}) };
  }

  async reconcile(): Promise<ReconcileResult> {
    const cm = this.configmaps.get(CLUSTER_INFO);
    const content = cm?.data?.[KUBECONFIG_KEY];
    if (!cm || cm.metadata.deletionTimestamp || content === undefined) return;
    const { tokens, nextExpiry } = this.signingTokens();
    const data: Record<string, string> = {};
    const old = new Map<string, string>();
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      if (key.startsWith(SIGNATURE_PREFIX)) old.set(key, value);
      else data[key] = value;
    }
    let changed = false;
    for (const [id, secret] of tokens) {
      const key = `${SIGNATURE_PREFIX}${id}`;
      data[key] = detachedSignature(content, id, secret);
      if (old.get(key) !== data[key]) changed = true;
      old.delete(key);
    }
    if (old.size) changed = true;
    // An expiring token's signature goes when it expires, whether or not its Secret is deleted then.
    const again = nextExpiry !== undefined ? { requeueAfterMs: Math.max(0, nextExpiry - this.now()) + 50 } : undefined;
    if (!changed) return again;
    try {
      await this.ctx.client.update<ConfigMap>(configmaps, { ...cm, data });
      this.log.info({ tokens: [...tokens.keys()] }, 'signed cluster-info');
    } catch (err) {
      // 409: the cache trails a change (its event brings the ConfigMap back); 404: it is gone.
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
    return again;
  }
}
