// JWT token authentication as Kubernetes' apiserver does it, for --oidc-* (one issuer) and for
// the structured --authentication-config (any number): an ID token (a JWT) whose `iss` is the
// issuer is verified against the keys the issuer publishes (its discovery document's
// jwks_uri, from the issuer's URL or the configured discovery URL, fetched over HTTPS trusting
// the configured CA, fetched again when a token names a key not seen yet), with one of the
// allowed algorithms, for one of the audiences, within its validity. Claim validation rules
// must hold; the user is mapped from claims (a claim with a prefix, or a CEL expression over
// `claims`): username (for the `email` claim only when `email_verified` is not false), groups
// (a string or a list), uid and extra; user validation rules then judge the user. Tokens of
// other issuers are not this authenticator's.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Agent } from 'undici';
import type { CompiledExpression } from '../../api/cel/environment.js';
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import { undici } from '../http/undici.js';

/** A claim, named, with what its values are prefixed with; or a CEL expression over `claims`. */
export type ClaimMapping = { claim: string; prefix: string } | { expression: CompiledExpression };

export interface OIDCOptions {
  issuerURL: string;
  /** Where the discovery document is, when not under the issuer's URL. */
  discoveryURL?: string;
  /** A token must be for one of these. */
  audiences: string[];
  /** PEM of the CA that signs the issuer's serving certificate (else the system's roots). */
  caPem?: string;
  signingAlgs: string[];
  claimValidationRules: Array<{ claim: string; requiredValue: string } | { expression: CompiledExpression; message?: string }>;
  username: ClaimMapping;
  groups?: ClaimMapping;
  uid?: { claim: string } | { expression: CompiledExpression };
  extra: Array<{ key: string; expression: CompiledExpression }>;
  userValidationRules: Array<{ expression: CompiledExpression; message?: string }>;
  /** JSON to CEL values (whole numbers as ints): given with expressions, from the CEL module loaded for them. */
  toCel?: (v: unknown) => unknown;
  onError?: (err: Error) => void;
}

/** A claim the token itself carries (never one inherited from Object.prototype). */
function claimOf(claims: JWTPayload, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** How often the keys may be fetched again for a key id not seen yet. */
const REFETCH_INTERVAL_MS = 10_000;
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export class OIDCAuthenticator implements TokenAuthenticator {
  private keys?: ReturnType<typeof createLocalJWKSet>;
  private keyIDs = new Set<string>();
  private fetching?: Promise<void>;
  private lastFetch = 0;
  private agent?: Agent;
  private readonly issuer: string;

  constructor(private readonly opts: OIDCOptions) {
    this.issuer = opts.issuerURL;
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      return undefined; // not a JWT
    }
    if (claims.iss !== this.issuer) return undefined; // another issuer's (a service account's)
    try {
      return await this.verified(token);
    } catch (err) {
      this.opts.onError?.(err as Error);
      return undefined;
    }
  }

  private async verified(token: string): Promise<UserInfo> {
    const { kid } = decodeProtectedHeader(token);
    if (!this.keys || (kid !== undefined && !this.keyIDs.has(kid) && Date.now() - this.lastFetch > REFETCH_INTERVAL_MS)) await this.fetchKeys();
    const { payload } = await jwtVerify(token, this.keys!, { issuer: this.issuer, audience: this.opts.audiences, algorithms: this.opts.signingAlgs });
    return this.userOf(payload);
  }

  private userOf(claims: JWTPayload): UserInfo {
    const o = this.opts;
    let celClaims: unknown;
    const evaluate = (e: CompiledExpression): unknown => e.evaluate({ claims: (celClaims ??= o.toCel ? o.toCel(claims) : claims) });
    for (const rule of o.claimValidationRules) {
      if ('claim' in rule) {
        if (claimOf(claims, rule.claim) !== rule.requiredValue) throw new Error(`oidc: required claim ${rule.claim} not present or not equal to "${rule.requiredValue}"`);
      } else if (evaluate(rule.expression) !== true) {
        throw new Error(`oidc: error evaluating claim validation expression: ${rule.message ?? `expression '${rule.expression.source}' failed`}`);
      }
    }
    let name: string;
    if ('claim' in o.username) {
      const value = claimOf(claims, o.username.claim);
      if (typeof value !== 'string' || !value) throw new Error(`oidc: claim "${o.username.claim}" is not a non-empty string`);
      if (o.username.claim === 'email' && claims.email_verified !== undefined && claims.email_verified !== true) throw new Error('oidc: email not verified');
      name = o.username.prefix + value;
    } else {
      const value = evaluate(o.username.expression);
      if (typeof value !== 'string') throw new Error('oidc: error evaluating username expression: must be a string');
      if (!value) throw new Error('oidc: empty username via CEL expression is not allowed');
      name = value;
    }
    let groups: string[] = [];
    if (o.groups) {
      const value = 'claim' in o.groups ? claimOf(claims, o.groups.claim) : evaluate(o.groups.expression);
      const what = 'claim' in o.groups ? `claim "${o.groups.claim}"` : 'groups expression';
      if (value === undefined || value === null) groups = [];
      else if (typeof value === 'string') groups = [value];
      else if (Array.isArray(value) && value.every((x) => typeof x === 'string')) groups = value as string[];
      else throw new Error(`oidc: ${what} is neither a string nor a list of strings`);
      if ('claim' in o.groups) groups = groups.map((g) => (o.groups as { prefix: string }).prefix + g);
    }
    const user: UserInfo = { name, groups };
    if (o.uid) {
      const value = 'claim' in o.uid ? claimOf(claims, o.uid.claim) : evaluate(o.uid.expression);
      if (typeof value !== 'string') throw new Error(`oidc: ${'claim' in o.uid ? `claim "${o.uid.claim}"` : 'uid expression'} is not a string`);
      user.uid = value;
    }
    for (const { key, expression } of o.extra) {
      const value = evaluate(expression);
      const values = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((x) => typeof x === 'string') ? (value as string[]) : undefined;
      if (!values) throw new Error(`oidc: extra[${key}] expression must be a string or a list of strings`);
      // An empty value leaves the key out, as Kubernetes does.
      const kept = values.filter((v) => v !== '');
      if (kept.length) (user.extra ??= {})[key] = kept;
    }
    for (const rule of o.userValidationRules) {
      const value = rule.expression.evaluate({ user: { username: user.name, uid: user.uid ?? '', groups: user.groups, extra: user.extra ?? {} } });
      if (value !== true) throw new Error(`oidc: error evaluating user info validation rule: ${rule.message ?? `expression '${rule.expression.source}' failed`}`);
    }
    return user;
  }

  /** Discovery, then the key set; one fetch at a time. */
  private fetchKeys(): Promise<void> {
    this.fetching ??= (async () => {
      try {
        const discovery = (await this.getJSON(this.opts.discoveryURL ?? `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)) as { issuer?: unknown; jwks_uri?: unknown };
        if (discovery.issuer !== this.issuer) throw new Error(`oidc: issuer did not match the issuer returned by provider, expected "${this.issuer}" got "${String(discovery.issuer)}"`);
        if (typeof discovery.jwks_uri !== 'string') throw new Error('oidc: the discovery document has no jwks_uri');
        const jwks = (await this.getJSON(discovery.jwks_uri)) as JSONWebKeySet;
        if (!jwks || !Array.isArray(jwks.keys)) throw new Error('oidc: the key set has no keys');
        this.keys = createLocalJWKSet(jwks);
        this.keyIDs = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
      } finally {
        this.lastFetch = Date.now();
        this.fetching = undefined;
      }
    })();
    return this.fetching;
  }

  private async getJSON(url: string): Promise<unknown> {
    if (!url.startsWith('https://')) throw new Error(`oidc: ${url} is not an https URL`);
    const { request, Agent } = await undici();
    this.agent ??= new Agent({ connect: this.opts.caPem ? { ca: this.opts.caPem } : {} });
    const res = await request(url, { dispatcher: this.agent, signal: AbortSignal.timeout(10_000) });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (size > MAX_DOCUMENT_BYTES) throw new Error(`oidc: ${url}: response too large`);
      chunks.push(c as Buffer);
    }
    if (res.statusCode !== 200) throw new Error(`oidc: ${url}: ${res.statusCode}`);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  }
}
