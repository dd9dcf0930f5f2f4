// Who may use the kubelet's API, decided as Kubernetes' kubelet decides it: a client
// certificate signed by --client-ca-file, else a bearer token the apiserver vouches for
// (TokenReview, --authentication-token-webhook), else anonymous only with --anonymous-auth;
// then, with --authorization-mode=Webhook, a SubjectAccessReview for the node and a
// subresource chosen by the path (nodes/proxy for logs, exec and the rest). Answers are cached
// briefly (tokens 2 minutes; access 5 minutes when allowed, 30 seconds when denied), as the
// kubelet's webhook caches do, so a busy log stream costs the apiserver nothing.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RequestAuthenticator } from '../../component-base/authn/authenticator.js';
import { TokenReviewAuthenticator } from '../../component-base/authn/token-review.js';
import { SubjectAccessReviewer } from '../../component-base/authz/subject-access-review.js';
import { clientTLS } from '../../component-base/authn/client-tls.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { ApiClient } from '../../client/api-client.js';

export interface KubeletAuthOptions {
  nodeName: string;
  /** --anonymous-auth: requests without credentials are system:anonymous (then authorized). */
  anonymous: boolean;
  /** --authentication-token-webhook: bearer tokens are checked with TokenReview. */
  tokenWebhook: boolean;
  /** --authorization-mode: AlwaysAllow or Webhook (SubjectAccessReview). */
  authorization: 'AlwaysAllow' | 'Webhook';
}

export type AuthResult = { ok: true; user: UserInfo } | { ok: false; code: 401 | 403; message: string };

/** The node subresource a kubelet path is authorized as (Kubernetes' mapping). */
export function subresourceFor(path: string): string {
  const first = path.split('/')[1] ?? '';
  return { stats: 'stats', metrics: 'metrics', logs: 'log', spec: 'spec', checkpoint: 'checkpoint' }[first] ?? 'proxy';
}

const VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export class KubeletAuth {
  private readonly authn: RequestAuthenticator;
  private readonly reviewer: SubjectAccessReviewer;

  constructor(
    private readonly opts: KubeletAuthOptions,
    client: Pick<ApiClient, 'request'>,
    now: () => number = Date.now,
  ) {
    // The kubelet's webhook caches: tokens 2 minutes; access 5 minutes allowed, 30 seconds denied.
    const webhook = new TokenReviewAuthenticator(client, 120_000, now);
    this.reviewer = new SubjectAccessReviewer(client, { allowedMs: 300_000, deniedMs: 30_000 }, now);
    this.authn = new RequestAuthenticator({ anonymous: opts.anonymous, tokens: opts.tokenWebhook ? [webhook] : [] });
  }

  async check(req: IncomingMessage): Promise<AuthResult> {
    const socket = req.socket as TLSSocket;
    let who;
    try {
      who = await this.authn.authenticate(typeof socket.getPeerCertificate === 'function' ? clientTLS(socket) : undefined, req.headers);
    } catch (err) {
      return { ok: false, code: 401, message: `Unauthorized: ${(err as Error).message}` };
    }
    if (!who.ok) return { ok: false, code: 401, message: 'Unauthorized' };
    const user = who.user;
    if (this.opts.authorization === 'AlwaysAllow') return { ok: true, user };
    const verb = VERBS[req.method ?? 'GET'] ?? 'get';
    const subresource = subresourceFor(new URL(req.url ?? '/', 'https://kubelet').pathname);
    try {
      if (await this.reviewer.allowed(user, { resourceAttributes: { verb, resource: 'nodes', subresource, name: this.opts.nodeName } })) return { ok: true, user };
    } catch (err) {
      return { ok: false, code: 403, message: `Authorization error (user=${user.name}, verb=${verb}, resource=nodes, subresource=${subresource}): ${(err as Error).message}` };
    }
    return { ok: false, code: 403, message: `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource=${subresource})` };
  }
}
