// Authentication of a TLS server's requests (the apiserver's secure port, the kubelet's API), in Kubernetes' order and with its rules: a verified
// client certificate (CN = user, O = groups), else a bearer token (token file, ...), else,
// when no credential was offered at all and --anonymous-auth allows, system:anonymous. A
// credential that is offered and fails (a certificate from another CA or expired, an unknown
// token) is a 401, never anonymous. Every authenticated user also gets system:authenticated.
import type { IncomingHttpHeaders } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import { ANONYMOUS, withAuthenticatedGroup, type UserInfo } from './user.js';

/** What the TLS layer knows of the client. */
export interface ClientTLS {
  /** The certificate verified against --client-ca-file. */
  authorized: boolean;
  /** Why it did not verify (Node's code, e.g. CERT_HAS_EXPIRED), when a certificate was sent. */
  authorizationError?: string;
  /** Empty when the client sent no certificate. */
  peer?: Partial<PeerCertificate>;
}

/** Resolves a bearer token to a user; undefined when this authenticator does not know it. */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

/** What a token is worth for some audiences: its user and the audiences it was accepted for, or why not. */
export type AudienceReview = { user: UserInfo; audiences: string[] } | { error?: string };

/**
 * An authenticator whose tokens name their audiences (service-account tokens), so it can judge a
 * token for audiences other than the apiserver's own (a TokenReview's `spec.audiences`).
 * Authenticators without it accept a token only for the apiserver's audiences, as Kubernetes
 * wraps its audience-agnostic ones.
 */
export interface AudienceAwareTokenAuthenticator extends TokenAuthenticator {
  reviewToken(token: string, audiences: string[]): Promise<AudienceReview>;
}

export function isAudienceAware(t: TokenAuthenticator): t is AudienceAwareTokenAuthenticator {
  return typeof (t as Partial<AudienceAwareTokenAuthenticator>).reviewToken === 'function';
}

export type AuthnResult = { ok: true; user: UserInfo } | { ok: false; reason: string };

export interface AuthenticatorOptions {
  /** Whether requests without credentials are system:anonymous; with `paths`, only requests for those exact paths. */
  anonymous: boolean | { paths: string[] };
  tokens: TokenAuthenticator[];
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The token of an `Authorization: Bearer <token>` header; other schemes and empty tokens are no credential. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '').trim().split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

export class RequestAuthenticator {
  constructor(private readonly opts: AuthenticatorOptions) {}

  /** `path`: the request's path without its query, for anonymous requests limited to some paths. */
  async authenticate(tls: ClientTLS | undefined, headers: IncomingHttpHeaders, path?: string): Promise<AuthnResult> {
    const cert = tls?.peer && Object.keys(tls.peer).length > 0 ? tls.peer : undefined;
    if (cert) {
      if (!tls!.authorized) return { ok: false, reason: `x509: certificate not accepted (${tls!.authorizationError ?? 'unknown authority'})` };
      const name = asList(cert.subject?.CN)[0] ?? '';
      if (!name) return { ok: false, reason: 'x509: client certificate has no common name' };
      return { ok: true, user: withAuthenticatedGroup({ name, groups: asList(cert.subject?.O) }) };
    }
    const token = bearerToken(headers.authorization);
    if (token) {
      for (const t of this.opts.tokens) {
        const user = await t.authenticateToken(token);
        if (user) return { ok: true, user: withAuthenticatedGroup(user) };
      }
      return { ok: false, reason: 'invalid bearer token' };
    }
    const anonymous = this.opts.anonymous;
    if (anonymous === true || (anonymous && path !== undefined && anonymous.paths.includes(path))) return { ok: true, user: ANONYMOUS };
    return { ok: false, reason: 'no credentials' };
  }
}
