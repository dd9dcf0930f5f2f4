// The ServiceAccount admission plugin, on pod creation: the pod runs as a service account that
// exists (`default` unless it names one), inherits that account's image pull secrets, and,
// unless automounting is turned off on the pod or the account, gets the projected volume
// kube-api-access-<x> (a bound token the kubelet keeps fresh, the cluster CA from the
// kube-root-ca.crt ConfigMap, and its namespace) mounted read-only in every container at
// /var/run/secrets/kubernetes.io/serviceaccount.
import { randomInt } from 'node:crypto';
import { admissionName, StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Container, Pod } from '../../api/types/pod.js';
import { API_ACCESS_VOLUME_PREFIX, apiAccessVolume, TOKEN_MOUNT_PATH } from '../../api/service-account-volume.js';

const MIRROR_POD = 'kubernetes.io/config.mirror';

export interface ServiceAccountLookup {
  /** The named ServiceAccount, or undefined when there is none. */
  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
}

// Kubernetes' alphabet for generated suffixes: no vowels, no look-alikes.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function suffix(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

function forbidden(pod: Pod, message: string): StatusError {
  const name = admissionName(pod.metadata);
  return new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
}

/** Mutates `pod` (a create) as the plugin does; throws 403 when its service account does not exist. */
export async function admitPodServiceAccount(pod: Pod, accounts: ServiceAccountLookup): Promise<void> {
  if (pod.metadata.annotations?.[MIRROR_POD] !== undefined) return;
  const spec = pod.spec;
  // A body without a usable spec is validation's to refuse (422), after admission.
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return;
  const namespace = pod.metadata.namespace!;
  const name = spec.serviceAccountName || spec.serviceAccount || 'default';
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
  const sa = await accounts.serviceAccount(namespace, name);
  if (!sa) throw forbidden(pod, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
  const account = sa as KubeObject & { automountServiceAccountToken?: boolean; imagePullSecrets?: Array<{ name?: string }> };

  if (!spec.imagePullSecrets?.length && account.imagePullSecrets?.length) {
    spec.imagePullSecrets = account.imagePullSecrets.map((s) => ({ name: s.name }));
  }

  const automount = spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
  if (!automount) return;
  const list = (v: unknown): Container[] => (Array.isArray(v) ? v.filter((c): c is Container => !!c && typeof c === 'object') : []);
  const containers = [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
  // A pod that mounts something of its own there already keeps it.
  const mountPaths = (c: Container): unknown[] => (Array.isArray(c.volumeMounts) ? c.volumeMounts.map((m) => (m as { mountPath?: unknown } | null)?.mountPath) : []);
  const taken = (c: Container) => mountPaths(c).some((p) => p === TOKEN_MOUNT_PATH || p === `${TOKEN_MOUNT_PATH}/`);
  if (!containers.some((c) => !taken(c))) return;
  if (spec.volumes !== undefined && !Array.isArray(spec.volumes)) return;
  spec.volumes ??= [];
  let volume = spec.volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith(API_ACCESS_VOLUME_PREFIX) && v.projected);
  if (!volume) {
    const used = new Set(spec.volumes.map((v) => v?.name));
    let volumeName: string;
    do volumeName = API_ACCESS_VOLUME_PREFIX + suffix(5);
    while (used.has(volumeName));
    volume = apiAccessVolume(volumeName);
    spec.volumes.push(volume);
  }
  for (const c of containers) {
    if (taken(c)) continue;
    if (c.volumeMounts !== undefined && !Array.isArray(c.volumeMounts)) continue;
    (c.volumeMounts ??= []).push({ name: volume.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH });
  }
}
