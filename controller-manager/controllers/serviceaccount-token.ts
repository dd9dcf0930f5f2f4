// The tokens controller (kube-controller-manager's "serviceaccount-token"): a Secret of type
// kubernetes.io/service-account-token that names an existing ServiceAccount in its
// kubernetes.io/service-account.name annotation is filled with a token that does not expire
// (`token`), the cluster's CA (`ca.crt`) and its namespace, and annotated with the account's
// uid; one naming an account that does not exist (or no longer has that uid) is deleted, and so
// are an account's token Secrets when it is deleted. As since Kubernetes 1.24, no such Secret is
// made unasked: a user creates it ("a long-lived API token for a ServiceAccount").
import type { Secret } from '../../api/types/core.js';
import type { KubeObject } from '../../api/types/meta.js';
import { StatusError } from '../../api/status.js';
import {
  NAMESPACE_KEY,
  ROOT_CA_KEY,
  SERVICE_ACCOUNT_NAME_ANNOTATION,
  SERVICE_ACCOUNT_TOKEN_SECRET_TYPE,
  SERVICE_ACCOUNT_UID_ANNOTATION,
  TOKEN_KEY,
  type LegacyTokenSigner,
} from '../../api/legacy-service-account-token.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const secrets = resource('v1/secrets');
const serviceaccounts = resource('v1/serviceaccounts');

const isTokenSecret = (s: Secret) => s.type === SERVICE_ACCOUNT_TOKEN_SECRET_TYPE;
/** The index of token Secrets by the account they name: <namespace>/<name>. */
const BY_ACCOUNT = 'serviceaccount-token/account';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export class ServiceAccountTokenController extends Controller {
  private readonly secrets: Informer<Secret>;
  private readonly accounts: Informer;

  constructor(
    ctx: ControllerContext,
    private readonly signer: LegacyTokenSigner,
    /** The CA put in each Secret's ca.crt; empty on a plain-HTTP cluster (none is put). */
    private readonly rootCA: string,
  ) {
    super('serviceaccount-token', ctx);
    this.secrets = ctx.informers.for<Secret>('v1/secrets');
    this.accounts = ctx.informers.for('v1/serviceaccounts');
    this.secrets.addIndexer(BY_ACCOUNT, (s) => {
      const name = s.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
      return isTokenSecret(s) && name ? [`${s.metadata.namespace}/${name}`] : [];
    });
    const secretChanged = (s: Secret) => isTokenSecret(s) && this.enqueue(s);
    this.secrets.addHandler({ add: secretChanged, update: (_o, s) => secretChanged(s) });
    // An account that goes (or comes back under another uid) takes its tokens with it.
    const accountChanged = (sa: KubeObject) => {
      for (const s of this.secrets.byIndex(BY_ACCOUNT, `${sa.metadata.namespace}/${sa.metadata.name}`)) this.enqueue(s);
    };
    this.accounts.addHandler({ add: accountChanged, update: (_o, sa) => accountChanged(sa), delete: accountChanged });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const secret = this.secrets.get(key);
    if (!secret || !isTokenSecret(secret) || secret.metadata.deletionTimestamp) return;
    const namespace = secret.metadata.namespace!;
    const accountName = secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? '';
    const account = await this.accountFor(namespace, accountName, secret.metadata.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION]);
    if (!account) {
      await this.ignoringGone(() => this.ctx.client.delete(secrets, namespace, secret.metadata.name!, { preconditions: { uid: secret.metadata.uid } }));
      return;
    }
    const data = secret.data ?? {};
    const needsCA = this.rootCA !== '' && data[ROOT_CA_KEY] !== base64(this.rootCA);
    const needsNamespace = !data[NAMESPACE_KEY];
    const needsToken = !data[TOKEN_KEY];
    if (!needsCA && !needsNamespace && !needsToken) return;
    const filled: Record<string, string> = { ...data };
    if (needsCA) filled[ROOT_CA_KEY] = base64(this.rootCA);
    if (needsNamespace) filled[NAMESPACE_KEY] = base64(namespace);
    if (needsToken) filled[TOKEN_KEY] = base64(this.signer.sign({ namespace, name: accountName, uid: account.metadata.uid! }, secret.metadata.name!));
    const annotations = { ...secret.metadata.annotations, [SERVICE_ACCOUNT_NAME_ANNOTATION]: accountName, [SERVICE_ACCOUNT_UID_ANNOTATION]: account.metadata.uid! };
    // Written on the cached copy's resourceVersion: if the Secret changed meanwhile, its update
    // event brings it back here.
    await this.ignoringGone(() => this.ctx.client.update<Secret>(secrets, { ...secret, metadata: { ...secret.metadata, annotations }, data: filled }));
  }

  /** The account a Secret names, if it exists with the uid the Secret records (any, before one is recorded); asked of the server when the cache has none. */
  private async accountFor(namespace: string, name: string, uid: string | undefined): Promise<KubeObject | undefined> {
    const matches = (sa: KubeObject | undefined) => (sa && (!uid || sa.metadata.uid === uid) ? sa : undefined);
    const cached = matches(this.accounts.get(`${namespace}/${name}`));
    if (cached || !name) return cached;
    try {
      return matches(await this.ctx.client.get(serviceaccounts, namespace, name));
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** 404: already gone; 409: changed or replaced meanwhile (its event requeues it). */
  private async ignoringGone(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
