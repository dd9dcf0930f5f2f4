// Service-account tokens: JWTs the apiserver signs for TokenRequest (`kubectl create token`,
// the kubelet's projected volumes) and accepts as bearer tokens. As Kubernetes' bound tokens:
// issuer and audience are checked, expiry enforced, and the token dies with what it is bound
// to (its ServiceAccount, and the Pod or Secret it was requested for, each by uid). The user is
// system:serviceaccount:<ns>:<name> in system:serviceaccounts and system:serviceaccounts:<ns>.
// Secret-based tokens (the controller-manager's, issuer kubernetes/serviceaccount) are accepted
// too, as Kubernetes' legacy validator does: while their Secret exists and holds the very same
// token, is not marked invalid, and their ServiceAccount exists with the uid they name.
import { createPrivateKey, createPublicKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { AudienceAwareTokenAuthenticator, AudienceReview } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { KubeObject } from '../../api/types/meta.js';
import { INVALID_SINCE_LABEL, jwsAlgorithm, LEGACY_CLAIM, LEGACY_ISSUER, serviceAccountKeyId, TOKEN_KEY } from '../../api/legacy-service-account-token.js';

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface TokenClaims {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  bound?: BoundObject;
  /** Node of a pod-bound token, when known. */
  node?: { name: string; uid: string };
}

/** What the authenticator asks the registry: an object as it is now, if it exists. */
export type ObjectLookup = (kind: 'ServiceAccount' | 'Pod' | 'Secret' | 'Node', namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

export interface TokenObjects {
  get: ObjectLookup;
  /** A secret-based token was presented (accepted or refused as marked invalid): its Secret records the day. */
  legacyTokenUsed?: (secret: KubeObject) => void;
}

interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

const SA_PREFIX = 'system:serviceaccount:';

/** Go's %q of a string slice, as Kubernetes' messages print audiences: ["a" "b"]. */
function goQuotedList(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(' ')}]`;
}

export class ServiceAccountTokens implements AudienceAwareTokenAuthenticator {
  private readonly signingKey: KeyObject;
  private readonly kid: string;
  private readonly verifyKeys: Map<string, KeyObject>;

  constructor(
    signingKeyPem: string,
    /** Extra public keys that verify (--service-account-key-file); the signing key's own always does. */
    publicKeyPems: string[],
    readonly issuer: string,
    readonly audiences: string[],
    private readonly objects: TokenObjects,
    private readonly now: () => number = Date.now,
  ) {
    this.signingKey = createPrivateKey(signingKeyPem);
    const own = createPublicKey(this.signingKey);
    this.kid = serviceAccountKeyId(own);
    this.verifyKeys = new Map([[this.kid, own]]);
    for (const pem of publicKeyPems) {
      const k = createPublicKey(pem);
      this.verifyKeys.set(serviceAccountKeyId(k), k);
    }
  }

  /** A signed token for the claims, valid `seconds` from now; returns it and its expiry. */
  async issue(claims: TokenClaims, audiences: string[], seconds: number): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(this.now() / 1000);
    const kube: KubernetesClaim = { namespace: claims.namespace, serviceaccount: claims.serviceAccount };
    if (claims.bound?.kind === 'Pod') kube.pod = { name: claims.bound.name, uid: claims.bound.uid };
    if (claims.bound?.kind === 'Secret') kube.secret = { name: claims.bound.name, uid: claims.bound.uid };
    if (claims.bound?.kind === 'Node') kube.node = { name: claims.bound.name, uid: claims.bound.uid };
    else if (claims.node) kube.node = claims.node;
    const token = await new SignJWT({ 'kubernetes.io': kube })
      .setProtectedHeader({ alg: jwsAlgorithm(this.signingKey), kid: this.kid })
      .setIssuer(this.issuer)
      .setSubject(`${SA_PREFIX}${claims.namespace}:${claims.serviceAccount.name}`)
      .setAudience(audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + seconds)
      .setJti(randomUUID())
      .sign(this.signingKey);
    return { token, expiresAt: new Date((iat + seconds) * 1000) };
  }

  /** The user of a valid token for the apiserver's audiences; undefined for anything else (not a JWT, wrong issuer or audience, expired, revoked). */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const r = await this.reviewToken(token, this.audiences);
    return 'user' in r ? r.user : undefined;
  }

  /**
   * A token judged for `requested` audiences, as a TokenReview asks: accepted for those of them
   * it names (a token naming none is the apiserver's own, as legacy tokens were), refused with
   * Kubernetes' message when it names none of them.
   */
  async reviewToken(token: string, requested: string[]): Promise<AudienceReview> {
    const payload = await this.verified(token);
    if (!payload) return {};
    const named = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const tokenAudiences = named.length ? named : this.audiences;
    const accepted = tokenAudiences.filter((a) => requested.includes(a));
    if (accepted.length === 0) return { error: `token audiences ${goQuotedList(tokenAudiences)} is invalid for the target audiences ${goQuotedList(requested)}` };
    const user = payload.iss === LEGACY_ISSUER ? await this.legacyUserOf(payload, token) : await this.userOf(payload);
    return user ? { user, audiences: accepted } : {};
  }

  /** The claims of a token this apiserver signed (or a --service-account-key-file key did), unexpired, from its issuer or the secret-based tokens' one. */
  private async verified(token: string): Promise<JWTPayload | undefined> {
    if (token.split('.').length !== 3) return undefined;
    try {
      const { kid } = decodeProtectedHeader(token);
      const keys = kid && this.verifyKeys.has(kid) ? [this.verifyKeys.get(kid)!] : [...this.verifyKeys.values()];
      for (const key of keys) {
        try {
          return (await jwtVerify(token, key, { issuer: [this.issuer, LEGACY_ISSUER], currentDate: new Date(this.now()), clockTolerance: 60 })).payload;
        } catch {
          // another key may have signed it
        }
      }
    } catch {
      // not a JWS header
    }
    return undefined;
  }

  private async uidOf(kind: Parameters<ObjectLookup>[0], namespace: string, name: string): Promise<string | undefined> {
    return (await this.objects.get(kind, namespace, name))?.metadata.uid;
  }

  private async userOf(payload: JWTPayload): Promise<UserInfo | undefined> {
    const kube = payload['kubernetes.io'] as KubernetesClaim | undefined;
    if (!kube?.namespace || !kube.serviceaccount?.name || payload.sub !== `${SA_PREFIX}${kube.namespace}:${kube.serviceaccount.name}`) return undefined;
    // Bound tokens die with their objects: each must still exist with the uid the token names.
    if ((await this.uidOf('ServiceAccount', kube.namespace, kube.serviceaccount.name)) !== kube.serviceaccount.uid) return undefined;
    if (kube.pod && (await this.uidOf('Pod', kube.namespace, kube.pod.name)) !== kube.pod.uid) return undefined;
    if (kube.secret && (await this.uidOf('Secret', kube.namespace, kube.secret.name)) !== kube.secret.uid) return undefined;
    const extra: Record<string, string[]> = {};
    if (payload.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`];
    if (kube.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [kube.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [kube.pod.uid];
    }
    if (kube.node) {
      extra['authentication.kubernetes.io/node-name'] = [kube.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [kube.node.uid];
    }
    return {
      name: payload.sub,
      uid: kube.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${kube.namespace}`],
      ...(Object.keys(extra).length ? { extra } : {}),
    };
  }

  /** A secret-based token: valid while its Secret holds it unchanged (and is not marked invalid) and its ServiceAccount is the one it names. */
  private async legacyUserOf(payload: JWTPayload, token: string): Promise<UserInfo | undefined> {
    const claim = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
    const namespace = claim(LEGACY_CLAIM.namespace);
    const secretName = claim(LEGACY_CLAIM.secretName);
    const name = claim(LEGACY_CLAIM.serviceAccountName);
    const uid = claim(LEGACY_CLAIM.serviceAccountUID);
    if (!namespace || !secretName || !name || !uid || payload.sub !== `${SA_PREFIX}${namespace}:${name}`) return undefined;
    const secret = (await this.objects.get('Secret', namespace, secretName)) as (KubeObject & { data?: Record<string, unknown> }) | undefined;
    if (!secret || secret.metadata.deletionTimestamp) return undefined;
    // The Secret's copy decides: a token edited out of (or replaced in) its Secret stops working.
    const stored = typeof secret.data?.[TOKEN_KEY] === 'string' ? Buffer.from(secret.data[TOKEN_KEY] as string, 'base64') : Buffer.alloc(0);
    const presented = Buffer.from(token);
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return undefined;
    const account = await this.objects.get('ServiceAccount', namespace, name);
    if (!account || account.metadata.deletionTimestamp || account.metadata.uid !== uid) return undefined;
    this.objects.legacyTokenUsed?.(secret);
    if (secret.metadata.labels?.[INVALID_SINCE_LABEL]) return undefined;
    return { name: payload.sub, uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] };
  }
}
