// Delegated authorization: whether a user may do something is asked of the apiserver (a
// SubjectAccessReview), as Kubernetes' kubelet and its other components' secure ports ask it.
// Answers are kept for a while, allowed and denied each for their own time.
import type { ApiserverRequests } from '../apiserver-requests.js';
import type { UserInfo } from '../authn/user.js';
import { TTLCache } from '../ttl-cache.js';

export type AccessAttributes =
  | { resourceAttributes: { verb: string; group?: string; version?: string; resource: string; subresource?: string; namespace?: string; name?: string } }
  | { nonResourceAttributes: { verb: string; path: string } };

export interface ReviewCacheTTLs {
  allowedMs: number;
  deniedMs: number;
}

interface AccessReviewAnswer {
  status?: { allowed?: boolean };
}

export class SubjectAccessReviewer {
  private readonly cache: TTLCache<boolean>;

  constructor(
    private readonly client: ApiserverRequests,
    private readonly ttl: ReviewCacheTTLs,
    now: () => number = Date.now,
  ) {
    this.cache = new TTLCache(4096, now);
  }

  async allowed(user: UserInfo, attrs: AccessAttributes): Promise<boolean> {
    const key = JSON.stringify([user.name, user.uid, [...user.groups].sort(), user.extra ?? {}, attrs]);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const answer = await this.client.request<AccessReviewAnswer>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}), ...attrs },
      },
    });
    const allowed = answer.status?.allowed === true;
    this.cache.set(key, allowed, allowed ? this.ttl.allowedMs : this.ttl.deniedMs);
    return allowed;
  }
}
