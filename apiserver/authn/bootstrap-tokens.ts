// Bootstrap tokens (--enable-bootstrap-token-auth): `<id>.<secret>` bearer tokens kept as
// Secrets `bootstrap-token-<id>` of type bootstrap.kubernetes.io/token in kube-system, as
// kubeadm makes them. A token authenticates as system:bootstrap:<id> in system:bootstrappers
// (plus the Secret's auth-extra-groups) while its Secret exists, allows authentication, holds
// the same secret and has not expired; anything else is not this authenticator's token.
import { timingSafeEqual } from 'node:crypto';
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { KubeObject } from '../../api/types/meta.js';
import { BOOTSTRAP_TOKEN_PREFIX, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapTokenField as field } from '../../api/bootstrap-token.js';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** Reads a Secret in kube-system by name (undefined when it does not exist). */
export type SecretLookup = (name: string) => Promise<KubeObject | undefined>;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  constructor(
    private readonly secret: SecretLookup,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    const [, id, secretPart] = m as unknown as [string, string, string];
    const secret = (await this.secret(`${BOOTSTRAP_TOKEN_PREFIX}${id}`)) as (KubeObject & { type?: string; data?: Record<string, string> }) | undefined;
    if (!secret || secret.metadata.deletionTimestamp || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
    if (field(secret, 'token-id') !== id) return undefined;
    const stored = field(secret, 'token-secret');
    if (stored === undefined || !sameText(stored, secretPart)) return undefined;
    if (field(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
    const expiration = field(secret, 'expiration');
    if (expiration !== undefined) {
      const at = Date.parse(expiration);
      if (Number.isNaN(at) || at <= this.now()) return undefined;
    }
    const extra = (field(secret, 'auth-extra-groups') ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    // Extra groups outside system:bootstrappers:* would let a token claim any group: refused.
    if (extra.some((g) => !EXTRA_GROUP.test(g))) return undefined;
    return { name: `system:bootstrap:${id}`, groups: [...new Set(['system:bootstrappers', ...extra])] };
  }
}
