// A container's effective security settings, as the kubelet derives them (pure): the
// container's securityContext first, then its pod's; the runAsNonRoot check against the user
// the image runs as; and the pod's sysctls against the node's allowlist.
import { normalizeSysctl, safeSysctls } from '../../api/sysctls.js';
import type { Container, Pod, SecurityContext } from '../../api/types/pod.js';
import type { ContainerSecurity, SeccompProfile } from '../runtime/runtime.js';
import { ContainerConfigError } from './env.js';

/** The user an image runs as: a uid, or a name; neither means root. */
export interface ImageUser {
  uid?: number;
  username?: string;
}

function own(c: Container): SecurityContext {
  return c.securityContext ?? {};
}

/** Whether the image's user must be known: to check runAsNonRoot, or to pair it with a group. */
export function needsImageUser(pod: Pod, c: Container): boolean {
  const sc = own(c);
  const psc = pod.spec.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  return (sc.runAsNonRoot ?? psc.runAsNonRoot) === true || (runAsUser === undefined && (sc.runAsGroup ?? psc.runAsGroup) !== undefined);
}

function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** Refuses a container that must not run as root but would (CreateContainerConfigError), in the kubelet's words. */
export function verifyRunAsNonRoot(pod: Pod, c: Container, image: ImageUser): void {
  const sc = own(c);
  const psc = pod.spec.securityContext ?? {};
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) return;
  const ref = JSON.stringify(podRef(pod));
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  if (runAsUser !== undefined) {
    if (runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (pod: ${ref}, container: ${c.name})`);
    return;
  }
  if (image.uid === undefined && image.username) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root (pod: ${ref}, container: ${c.name})`);
  }
  if ((image.uid ?? 0) === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (pod: ${ref}, container: ${c.name})`);
}

function seccomp(pod: Pod, c: Container, rootDir: string): SeccompProfile {
  const profile = own(c).seccompProfile ?? pod.spec.securityContext?.seccompProfile;
  if (profile?.type === 'Unconfined') return { type: 'Unconfined' };
  // Profiles live in <root-dir>/seccomp, as under the kubelet's root directory.
  if (profile?.type === 'Localhost' && profile.localhostProfile) return { type: 'Localhost', path: `${rootDir}/seccomp/${profile.localhostProfile}` };
  // Unset is the runtime's default profile: this kubelet runs as Kubernetes' does with --seccomp-default.
  return { type: 'RuntimeDefault' };
}

/** The runtime's view of how `c` is confined. `image` is the image's user when needsImageUser said it is wanted. */
export function containerSecurity(pod: Pod, c: Container, rootDir: string, image: ImageUser = {}): ContainerSecurity {
  const sc = own(c);
  const psc = pod.spec.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser ?? image.uid;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  const groups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])];
  return {
    privileged: sc.privileged === true,
    capabilities: { add: [...(sc.capabilities?.add ?? [])], drop: [...(sc.capabilities?.drop ?? [])] },
    ...(runAsUser !== undefined ? { runAsUser } : image.username ? { runAsUsername: image.username } : {}),
    ...(runAsGroup !== undefined ? { runAsGroup } : {}),
    supplementalGroups: [...new Set(groups)],
    readonlyRootfs: sc.readOnlyRootFilesystem === true,
    noNewPrivs: sc.allowPrivilegeEscalation === false,
    seccomp: seccomp(pod, c, rootDir),
  };
}

const SAFE_SYSCTLS = safeSysctls();

/**
 * Why the node refuses the pod's sysctls, or undefined when it runs them: each must be safe or
 * match --allowed-unsafe-sysctls (a name, or a prefix ending in "*").
 */
export function forbiddenSysctl(pod: Pod, allowedUnsafe: readonly string[]): string | undefined {
  for (const s of pod.spec.securityContext?.sysctls ?? []) {
    const name = normalizeSysctl(s.name);
    const allowed =
      SAFE_SYSCTLS.has(name) || allowedUnsafe.some((p) => (p.endsWith('*') ? name.startsWith(normalizeSysctl(p.slice(0, -1))) : name === normalizeSysctl(p)));
    if (!allowed) return `forbidden sysctl: "${name}" not allowlisted`;
  }
  return undefined;
}

/** The pod's sysctls as the runtime sets them, by their dotted names. */
export function podSysctls(pod: Pod): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of pod.spec.securityContext?.sysctls ?? []) out[normalizeSysctl(s.name)] = s.value;
  return out;
}
