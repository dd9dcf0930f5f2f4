// Webhook token authentication (--authentication-token-webhook-config-file), as Kubernetes'
// apiserver does it: a bearer token no other authenticator knows is sent, as an
// authentication.k8s.io TokenReview (v1beta1 by default, or v1), to the server a kubeconfig
// file names (its CA, client certificate or token); `status.authenticated` with a user is the
// answer. Answers, yes and no alike, are kept for the cache TTL (2 minutes by default) by the
// token's hash; a webhook that cannot be reached is tried three times, and its token is then
// refused for this request only.
import { createHash } from 'node:crypto';
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { ClientConfig } from '../../client/rest.js';
import { KubeconfigWebhook } from '../webhooks/kubeconfig-webhook.js';

export interface TokenWebhookOptions {
  /** Where and how to call it: the kubeconfig's server URL, CA, client certificate or token. */
  client: ClientConfig;
  version: 'v1' | 'v1beta1';
  cacheTTLMs: number;
  /** How long one call may take. */
  timeoutMs?: number;
  /** Pauses between tries (three tries in all by default). */
  retryDelaysMs?: number[];
  now?: () => number;
  onError?: (err: Error) => void;
}

const MAX_CACHED = 10_000;

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: unknown; uid?: unknown; groups?: unknown; extra?: unknown };
  error?: string;
}

export class WebhookTokenAuthenticator implements TokenAuthenticator {
  private readonly cache = new Map<string, { user: UserInfo | undefined; expires: number }>();
  private readonly webhook: KubeconfigWebhook;

  constructor(private readonly opts: TokenWebhookOptions) {
    this.webhook = new KubeconfigWebhook(opts.client, 'token webhook');
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const now = (this.opts.now ?? Date.now)();
    const key = createHash('sha256').update(token).digest('base64');
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.user;
    let status: TokenReviewStatus;
    try {
      status = await this.review(token);
    } catch (err) {
      this.opts.onError?.(err as Error);
      return undefined;
    }
    const user = status.authenticated === true ? userOf(status.user) : undefined;
    if (this.opts.cacheTTLMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.delete(key);
      this.cache.set(key, { user, expires: now + this.opts.cacheTTLMs });
    }
    return user;
  }

  /** The webhook's status for `token`. */
  private async review(token: string): Promise<TokenReviewStatus> {
    const review = { apiVersion: `authentication.k8s.io/${this.opts.version}`, kind: 'TokenReview', spec: { token } };
    const answer = (await this.webhook.post(review, this.opts.timeoutMs ?? 10_000, this.opts.retryDelaysMs ?? [500, 750])) as { status?: TokenReviewStatus } | null;
    return answer && typeof answer === 'object' && answer.status && typeof answer.status === 'object' ? answer.status : {};
  }
}

/** The user a review vouches for; none without a username. */
export function userOf(u: TokenReviewStatus['user']): UserInfo | undefined {
  if (!u || typeof u !== 'object' || typeof u.username !== 'string' || !u.username) return undefined;
  const groups = Array.isArray(u.groups) ? u.groups.filter((g): g is string => typeof g === 'string') : [];
  const extra: Record<string, string[]> = {};
  if (u.extra && typeof u.extra === 'object' && !Array.isArray(u.extra)) {
    for (const [k, v] of Object.entries(u.extra as Record<string, unknown>)) {
      // Defined, not assigned: a key "__proto__" stays an ordinary key.
      if (Array.isArray(v)) Object.defineProperty(extra, k, { value: v.filter((x): x is string => typeof x === 'string'), enumerable: true, writable: true, configurable: true });
    }
  }
  return { name: u.username, ...(typeof u.uid === 'string' && u.uid ? { uid: u.uid } : {}), groups, ...(Object.keys(extra).length ? { extra } : {}) };
}
