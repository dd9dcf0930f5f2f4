// The JWT issuers the apiserver trusts (--oidc-* or --authentication-config), as one token
// authenticator whose set can be replaced while serving: a changed --authentication-config
// (apiserver/config/config-file-watch.ts) takes the place of the old issuers.
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
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
