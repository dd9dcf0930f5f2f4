// OpenID Connect token authentication (--oidc-issuer-url and friends), as Kubernetes' apiserver
// does it: an ID token (a JWT) whose `iss` is the issuer is verified against the keys the
// issuer publishes (its discovery document's jwks_uri, fetched over HTTPS trusting
// --oidc-ca-file, fetched again when a token names a key not seen yet), with one of the
// allowed algorithms, for the client ID as audience, within its validity. The user is the
// username claim (`sub` by default; `email` only when `email_verified` is not false), with its
// prefix (the issuer and '#' for claims other than email unless --oidc-username-prefix says,
// '-' for none); groups from the groups claim (a string or a list), with theirs; every
// required claim must hold its value. Tokens of other issuers are not this authenticator's.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Agent } from 'undici';
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import { undici } from '../http/undici.js';

export interface OIDCOptions {
  issuerURL: string;
  clientID: string;
  /** PEM of the CA that signs the issuer's serving certificate (else the system's roots). */
  caPem?: string;
  usernameClaim: string;
  /** undefined: the default (see above); '-': none. */
  usernamePrefix?: string;
  groupsClaim?: string;
  groupsPrefix?: string;
  signingAlgs: string[];
  requiredClaims: Record<string, string>;
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
    const { payload } = await jwtVerify(token, this.keys!, { issuer: this.issuer, audience: this.opts.clientID, algorithms: this.opts.signingAlgs });
    return this.userOf(payload);
  }

  private userOf(claims: JWTPayload): UserInfo {
    for (const [claim, value] of Object.entries(this.opts.requiredClaims)) {
      if (claimOf(claims, claim) !== value) throw new Error(`oidc: required claim ${claim} not present or not equal to "${value}"`);
    }
    const { usernameClaim } = this.opts;
    const username = claimOf(claims, usernameClaim);
    if (typeof username !== 'string' || !username) throw new Error(`oidc: claim "${usernameClaim}" is not a non-empty string`);
    if (usernameClaim === 'email' && claims.email_verified !== undefined && claims.email_verified !== true) {
      throw new Error('oidc: email not verified');
    }
    const prefix = this.opts.usernamePrefix === undefined ? (usernameClaim === 'email' ? '' : `${this.issuer}#`) : this.opts.usernamePrefix === '-' ? '' : this.opts.usernamePrefix;
    let groups: string[] = [];
    const g = this.opts.groupsClaim ? claimOf(claims, this.opts.groupsClaim) : undefined;
    if (g !== undefined) {
      if (typeof g === 'string') groups = [g];
      else if (Array.isArray(g) && g.every((x) => typeof x === 'string')) groups = g as string[];
      else throw new Error(`oidc: claim "${this.opts.groupsClaim}" is neither a string nor a list of strings`);
    }
    return { name: `${prefix}${username}`, groups: groups.map((x) => `${this.opts.groupsPrefix ?? ''}${x}`) };
  }

  /** Discovery, then the key set; one fetch at a time. */
  private fetchKeys(): Promise<void> {
    this.fetching ??= (async () => {
      try {
        const discovery = (await this.getJSON(`${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)) as { issuer?: unknown; jwks_uri?: unknown };
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
