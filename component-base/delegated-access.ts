// Who may use a component's secure port, decided as Kubernetes' scheduler and
// controller-manager decide it (delegated authentication and authorization): a client
// certificate signed by the client CA, else a bearer token the apiserver vouches for
// (TokenReview), else system:anonymous; then paths in --authorization-always-allow-paths pass,
// system:masters passes, and anyone else is asked about (a SubjectAccessReview of the path and
// the lowercased method). Both answers are kept for 10 seconds, Kubernetes' defaults.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ApiserverRequests } from './apiserver-requests.js';
import { RequestAuthenticator } from './authn/authenticator.js';
import { clientTLS } from './authn/client-tls.js';
import { TokenReviewAuthenticator } from './authn/token-review.js';
import { MASTERS_GROUP, type UserInfo } from './authn/user.js';
import { SubjectAccessReviewer } from './authz/subject-access-review.js';

const CACHE_TTL_MS = 10_000;

/** A Kubernetes Status for a refused request, and its code. */
export interface Refusal {
  code: 401 | 403 | 500;
  body: string;
}

export type AccessDecision = { ok: true; user: UserInfo } | { ok: false; refusal: Refusal };

function status(code: 401 | 403, reason: string, message: string): Refusal {
  // Go's field order for a Status; details is empty for a path (no group, kind or name).
  const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(code === 403 ? { details: {} } : {}), code };
  return { code, body: JSON.stringify(body) + '\n' };
}

/** Whether `path` is allowed by one of the patterns: an exact path, or a prefix ending in `*`. */
export function pathMatches(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

export class DelegatedAccess {
  private readonly authn: RequestAuthenticator;
  private readonly reviewer: SubjectAccessReviewer | undefined;
  private readonly alwaysAllowPaths: readonly string[];

  constructor(
    opts: {
      /** Where TokenReviews go; none: tokens are not accepted (only certificates and anonymous). */
      authentication?: ApiserverRequests;
      /** Where SubjectAccessReviews go; none: whatever is not always allowed is forbidden. */
      authorization?: ApiserverRequests;
      alwaysAllowPaths: readonly string[];
    },
    now: () => number = Date.now,
  ) {
    this.alwaysAllowPaths = opts.alwaysAllowPaths;
    this.authn = new RequestAuthenticator({ anonymous: true, tokens: opts.authentication ? [new TokenReviewAuthenticator(opts.authentication, CACHE_TTL_MS, now)] : [] });
    this.reviewer = opts.authorization ? new SubjectAccessReviewer(opts.authorization, { allowedMs: CACHE_TTL_MS, deniedMs: CACHE_TTL_MS }, now) : undefined;
  }

  async check(req: IncomingMessage, path: string): Promise<AccessDecision> {
    const socket = req.socket as TLSSocket;
    let who;
    try {
      who = await this.authn.authenticate(typeof socket.getPeerCertificate === 'function' ? clientTLS(socket) : undefined, req.headers);
    } catch {
      // The apiserver could not be asked: the token is not taken, as Kubernetes' filter does.
      who = { ok: false as const };
    }
    if (!who.ok) return { ok: false, refusal: status(401, 'Unauthorized', 'Unauthorized') };
    const user = who.user;
    if (pathMatches(this.alwaysAllowPaths, path) || user.groups.includes(MASTERS_GROUP)) return { ok: true, user };
    const verb = (req.method ?? 'GET').toLowerCase();
    let allowed = false;
    if (this.reviewer) {
      try {
        allowed = await this.reviewer.allowed(user, { nonResourceAttributes: { verb, path } });
      } catch (err) {
        return { ok: false, refusal: { code: 500, body: `Internal Server Error: ${JSON.stringify(path)}: ${(err as Error).message}\n` } };
      }
    }
    if (allowed) return { ok: true, user };
    return { ok: false, refusal: status(403, 'Forbidden', `forbidden: User ${JSON.stringify(user.name)} cannot ${verb} path ${JSON.stringify(path)}`) };
  }
}
