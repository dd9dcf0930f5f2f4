// Bootstrap tokens as kubeadm keeps them: Secrets `bootstrap-token-<id>` of type
// bootstrap.kubernetes.io/token in kube-system, whose data holds the token's id and secret, its
// usages and an optional RFC 3339 expiration. Read here for the apiserver's authenticator and the
// controller-manager's token cleaner and bootstrap signer alike.
import type { KubeObject } from './types/meta.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
const TOKEN_ID = /^[a-z0-9]{6}$/;
const TOKEN_SECRET = /^[a-z0-9]{16}$/;

type TokenSecret = KubeObject & { type?: string; data?: Record<string, string> };

/** A data field of the Secret, decoded (undefined when absent). */
export function bootstrapTokenField(secret: KubeObject, key: string): string | undefined {
  const v = (secret as TokenSecret).data?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

/** Whether this is a bootstrap token's Secret (its type, in kube-system). */
export function isBootstrapTokenSecret(secret: KubeObject): boolean {
  return (secret as TokenSecret).type === BOOTSTRAP_TOKEN_SECRET_TYPE && secret.metadata.namespace === BOOTSTRAP_TOKEN_NAMESPACE;
}

/**
 * When the token expires, in ms since the epoch: undefined when it never does; NaN when its
 * expiration cannot be read (Kubernetes then treats it as not expired, and the authenticator
 * refuses it).
 */
export function bootstrapTokenExpiry(secret: KubeObject): number | undefined {
  const expiration = bootstrapTokenField(secret, 'expiration');
  return expiration === undefined ? undefined : Date.parse(expiration);
}

/** The id and secret of a well-formed token whose Secret is named after it, if it is one. */
export function bootstrapTokenOf(secret: KubeObject): { id: string; secret: string } | undefined {
  const id = bootstrapTokenField(secret, 'token-id');
  const value = bootstrapTokenField(secret, 'token-secret');
  if (!id || !TOKEN_ID.test(id) || !value || !TOKEN_SECRET.test(value)) return undefined;
  if (secret.metadata.name !== `${BOOTSTRAP_TOKEN_PREFIX}${id}`) return undefined;
  return { id, secret: value };
}
