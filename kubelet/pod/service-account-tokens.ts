// Bound service-account tokens for pods' projected volumes, as the kubelet's token manager
// keeps them: requested through TokenRequest bound to the pod, cached, and requested anew once
// 80% of a token's lifetime has passed (or after 24 hours), so the file in the volume is
// always valid. A pod's tokens are forgotten when the pod leaves the node.
import type { Logger } from 'pino';
import type { Pod } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/api-client.js';
import { resource } from '../../client/rest.js';

const serviceaccounts = resource('v1/serviceaccounts');
const MAX_AGE_MS = 24 * 3600_000;

export interface TokenWanted {
  audience?: string;
  expirationSeconds?: number;
}

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

interface TokenRequestStatus {
  status?: { token?: string; expirationTimestamp?: string };
}

export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid token for the pod's service account, bound to the pod. */
  async token(pod: Pod, wanted: TokenWanted): Promise<string> {
    const namespace = pod.metadata.namespace!;
    const account = pod.spec.serviceAccountName || 'default';
    const expirationSeconds = wanted.expirationSeconds ?? 3600;
    const key = [pod.metadata.uid, namespace, account, wanted.audience ?? '', expirationSeconds].join('/');
    const cached = this.cache.get(key);
    if (cached && !this.needsRefresh(cached)) return cached.token;
    try {
      const answer = await this.client.request<TokenRequestStatus>('POST', this.client.path(serviceaccounts, namespace, account, 'token'), {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: wanted.audience ? [wanted.audience] : [],
            expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
          },
        },
      });
      const token = answer.status?.token;
      if (!token) throw new Error('the TokenRequest answer carries no token');
      const issuedAt = this.now();
      const expiresAt = Date.parse(answer.status?.expirationTimestamp ?? '') || issuedAt + expirationSeconds * 1000;
      this.cache.set(key, { token, issuedAt, expiresAt });
      return token;
    } catch (err) {
      // A token that is still valid is better than none while the apiserver is unreachable.
      if (cached && cached.expiresAt > this.now()) {
        this.log.warn({ err: (err as Error).message, pod: `${namespace}/${pod.metadata.name}` }, 'cannot refresh a service-account token; keeping the current one');
        return cached.token;
      }
      throw new Error(`failed to fetch token for service account ${namespace}/${account}: ${(err as Error).message}`, { cause: err });
    }
  }

  private needsRefresh(c: Cached): boolean {
    const now = this.now();
    return now >= c.issuedAt + 0.8 * (c.expiresAt - c.issuedAt) || now - c.issuedAt > MAX_AGE_MS;
  }

  /** Drops the tokens of a pod that left the node. */
  forget(podUid: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${podUid}/`)) this.cache.delete(key);
  }
}
