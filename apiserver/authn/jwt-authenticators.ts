// The JWT issuers the apiserver trusts (--oidc-* or --authentication-config), as one token
// authenticator whose set can be replaced while serving: a changed --authentication-config is
// read again (every few seconds) and, when valid, takes the place of the old issuers; an
// invalid one is logged and the old issuers stay, as Kubernetes' apiserver does.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import { parseAuthenticationConfig, type AuthenticationConfig } from './authentication-config.js';
import { OIDCAuthenticator, type OIDCOptions } from './oidc.js';

export class JWTAuthenticators implements TokenAuthenticator {
  private list: OIDCAuthenticator[] = [];

  constructor(
    opts: OIDCOptions[],
    private readonly onError: (err: Error, issuer: string) => void,
  ) {
    this.replace(opts);
  }

  get size(): number {
    return this.list.length;
  }

  replace(opts: OIDCOptions[]): void {
    this.list = opts.map((o) => new OIDCAuthenticator({ ...o, onError: (err) => this.onError(err, o.issuerURL) }));
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    // Each answers only for tokens of its own issuer; a token is at most one issuer's.
    for (const a of this.list) {
      const user = await a.authenticateToken(token);
      if (user) return user;
    }
    return undefined;
  }
}

export interface ConfigWatch {
  file: string;
  /** The service-account issuers, which no JWT issuer may claim. */
  disallowedIssuers: string[];
  intervalMs: number;
  signal: AbortSignal;
  /** A valid new configuration. */
  apply(config: AuthenticationConfig): void;
  /** Each reload's outcome, for logs and metrics. */
  reloaded(status: 'success' | 'failure', err?: Error): void;
}

/** Reads `file` every `intervalMs`; a change in its content is parsed and, if valid, applied. */
export async function watchAuthenticationConfig(w: ConfigWatch, initial: string): Promise<void> {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  let last = digest(initial);
  while (!w.signal.aborted) {
    await new Promise((r) => setTimeout(r, w.intervalMs).unref());
    if (w.signal.aborted) return;
    let text: string;
    try {
      text = await readFile(w.file, 'utf8');
    } catch (err) {
      // A file being replaced may be missing for a moment; the next read decides.
      w.reloaded('failure', err as Error);
      continue;
    }
    const now = digest(text);
    if (now === last) continue;
    last = now;
    try {
      w.apply(await parseAuthenticationConfig(text, w.disallowedIssuers));
      w.reloaded('success');
    } catch (err) {
      w.reloaded('failure', err as Error);
    }
  }
}
