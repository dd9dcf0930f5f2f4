// Secret-based ("legacy") service-account tokens: a Secret of type
// kubernetes.io/service-account-token naming a ServiceAccount in its annotation gets a JWT that
// never expires, signed by the controller-manager's tokens controller with the service-account
// key and accepted by the apiserver while the Secret and the ServiceAccount exist. Shared here:
// the names both sides use, the key id and algorithm of a service-account key, and the signing.
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
/** Annotations on such a Secret: the ServiceAccount's name (set by its author) and uid (by the controller). */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
/** The Secret's data keys the controller fills. */
export const TOKEN_KEY = 'token';
export const ROOT_CA_KEY = 'ca.crt';
export const NAMESPACE_KEY = 'namespace';
/** The issuer of every secret-based token, whatever the apiserver's own issuer. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** Labels on the Secret: the day (UTC) the token was last used, and since when it is refused. */
export const LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';
export const INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';

/** The private claims of a secret-based token, under Kubernetes' names. */
export const LEGACY_CLAIM = {
  namespace: 'kubernetes.io/serviceaccount/namespace',
  secretName: 'kubernetes.io/serviceaccount/secret.name',
  serviceAccountName: 'kubernetes.io/serviceaccount/service-account.name',
  serviceAccountUID: 'kubernetes.io/serviceaccount/service-account.uid',
} as const;

/** Kubernetes' key id: base64url of the SHA-256 of the public key's DER. */
export function serviceAccountKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** The JWS algorithm of a service-account key: RS256 for RSA, ES256/384/512 by the curve. */
export function jwsAlgorithm(key: KeyObject): 'RS256' | 'ES256' | 'ES384' | 'ES512' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  }
  throw new Error(`service-account keys must be RSA or ECDSA, not ${key.asymmetricKeyType}`);
}

const DIGEST = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' } as const;

/** A signer of secret-based tokens with one service-account private key (PEM). */
export class LegacyTokenSigner {
  private readonly key: KeyObject;
  private readonly header: string;
  private readonly alg: keyof typeof DIGEST;

  constructor(privateKeyPem: string) {
    this.key = createPrivateKey(privateKeyPem);
    this.alg = jwsAlgorithm(this.key);
    this.header = Buffer.from(JSON.stringify({ alg: this.alg, kid: serviceAccountKeyId(createPublicKey(this.key)) })).toString('base64url');
  }

  /** The token of `secretName` for the ServiceAccount: no expiry, no audience, as Kubernetes issues them. */
  sign(serviceAccount: { namespace: string; name: string; uid: string }, secretName: string): string {
    const claims = {
      iss: LEGACY_ISSUER,
      [LEGACY_CLAIM.namespace]: serviceAccount.namespace,
      [LEGACY_CLAIM.secretName]: secretName,
      [LEGACY_CLAIM.serviceAccountName]: serviceAccount.name,
      [LEGACY_CLAIM.serviceAccountUID]: serviceAccount.uid,
      sub: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
    };
    const input = `${this.header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    // JWS wants ECDSA signatures as r||s, not DER.
    const signature = sign(DIGEST[this.alg], Buffer.from(input), this.alg === 'RS256' ? this.key : { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}
