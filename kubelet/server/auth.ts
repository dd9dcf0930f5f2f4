// Who may use the kubelet's API, decided as Kubernetes' kubelet decides it: a client
// certificate signed by --client-ca-file, else a bearer token the apiserver vouches for
// (TokenReview, --authentication-token-webhook), else anonymous only with --anonymous-auth;
// then, with --authorization-mode=Webhook, a SubjectAccessReview for the node and a
// subresource chosen by the path (nodes/proxy for logs, exec and the rest). Answers are cached
// briefly (tokens 2 minutes; access 5 minutes when allowed, 30 seconds when denied), as the
// kubelet's webhook caches do, so a busy log stream costs the apiserver nothing.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RequestAuthenticator, type TokenAuthenticator } from '../../component-base/authn/authenticator.js';
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

interface Cached<T> {
  value: T;
  until: number;
}

/** Bounded map with expiry: the oldest entry goes when it is full. */
class TTLCache<T> {
  private readonly entries = new Map<string, Cached<T>>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: T, ttlMs: number): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: this.now() + ttlMs });
  }
}

interface TokenReviewAnswer {
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }; error?: string };
}

interface AccessReviewAnswer {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

export class KubeletAuth {
  private readonly authn: RequestAuthenticator;
  private readonly tokens: TTLCache<UserInfo | null>;
  private readonly decisions: TTLCache<boolean>;

  constructor(
    private readonly opts: KubeletAuthOptions,
    private readonly client: ApiClient,
    now: () => number = Date.now,
  ) {
    this.tokens = new TTLCache(1024, now);
    this.decisions = new TTLCache(4096, now);
    const webhook: TokenAuthenticator = { authenticateToken: (token) => this.reviewToken(token) };
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
      if (await this.allowed(user, verb, subresource)) return { ok: true, user };
    } catch (err) {
      return { ok: false, code: 403, message: `Authorization error (user=${user.name}, verb=${verb}, resource=nodes, subresource=${subresource}): ${(err as Error).message}` };
    }
    return { ok: false, code: 403, message: `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource=${subresource})` };
  }

  private async reviewToken(token: string): Promise<UserInfo | undefined> {
    const cached = this.tokens.get(token);
    if (cached !== undefined) return cached ?? undefined;
    const answer = await this.client.request<TokenReviewAnswer>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const u = answer.status?.authenticated ? answer.status.user : undefined;
    const user: UserInfo | null = u?.username ? { name: u.username, uid: u.uid, groups: u.groups ?? [], ...(u.extra ? { extra: u.extra } : {}) } : null;
    this.tokens.set(token, user, 120_000);
    return user ?? undefined;
  }

  private async allowed(user: UserInfo, verb: string, subresource: string): Promise<boolean> {
    const key = JSON.stringify([user.name, user.uid, [...user.groups].sort(), user.extra ?? {}, verb, subresource]);
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;
    const answer = await this.client.request<AccessReviewAnswer>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.name,
          ...(user.uid ? { uid: user.uid } : {}),
          groups: user.groups,
          ...(user.extra ? { extra: user.extra } : {}),
          resourceAttributes: { verb, resource: 'nodes', subresource, name: this.opts.nodeName },
        },
      },
    });
    const allowed = answer.status?.allowed === true;
    this.decisions.set(key, allowed, allowed ? 300_000 : 30_000);
    return allowed;
  }
}

