// The projected volume through which pods get API credentials (what the ServiceAccount
// admission adds and the kubelet fills): a bound token, the cluster CA from the
// kube-root-ca.crt ConfigMap, and the pod's namespace.
import type { Volume } from './types/pod.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const API_ACCESS_VOLUME_PREFIX = 'kube-api-access-';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** An hour and a few seconds: Kubernetes' odd number, so these tokens are recognisable. */
export const TOKEN_EXPIRATION_SECONDS = 3607;

export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}
