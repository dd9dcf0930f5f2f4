// Delegated token authentication: a bearer token is whoever the apiserver says it is (a
// TokenReview), as Kubernetes' kubelet and its other components' secure ports decide. Answers,
// a refusal included, are kept for `ttlMs` so a busy client costs the apiserver one review.
import type { ApiserverRequests } from '../apiserver-requests.js';
import { TTLCache } from '../ttl-cache.js';
import type { TokenAuthenticator } from './authenticator.js';
import type { UserInfo } from './user.js';

interface TokenReviewAnswer {
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } };
}

export class TokenReviewAuthenticator implements TokenAuthenticator {
  private readonly cache: TTLCache<UserInfo | null>;

  constructor(
    private readonly client: ApiserverRequests,
    private readonly ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.cache = new TTLCache(1024, now);
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached ?? undefined;
    const answer = await this.client.request<TokenReviewAnswer>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const u = answer.status?.authenticated ? answer.status.user : undefined;
    const user: UserInfo | null = u?.username ? { name: u.username, uid: u.uid, groups: u.groups ?? [], ...(u.extra ? { extra: u.extra } : {}) } : null;
    this.cache.set(token, user, this.ttlMs);
    return user ?? undefined;
  }
}
