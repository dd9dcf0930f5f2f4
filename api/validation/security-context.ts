// Security-context rules for a pod and its containers: ids in range, seccomp and AppArmor
// profiles that name what they need, sysctls by name, and the combinations Kubernetes refuses
// (no privilege escalation yet privileged; sysctls of a namespace shared with the host).
import type { Unstructured } from '../types/meta.js';
import { sysctlNamespace } from '../sysctls.js';
import type { FieldErrors } from './field-errors.js';

const MAX_ID = 2147483647;
const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
const FS_GROUP_CHANGE_POLICIES = ['Always', 'OnRootMismatch'];
const PROC_MOUNTS = ['Default', 'Unmasked'];
const SUPPLEMENTAL_GROUPS_POLICIES = ['Merge', 'Strict'];

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_FORMAT = `(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}`;
const SYSCTL_RE = new RegExp(`^${SYSCTL_FORMAT}$`);
const SYSCTL_MAX = 253;

function id(value: unknown, field: string, errs: FieldErrors): void {
  if (typeof value === 'number' && (value < 0 || value > MAX_ID)) errs.invalid(field, value, `must be between 0 and ${MAX_ID}, inclusive`);
}

function relativeDescending(path: string, field: string, errs: FieldErrors): void {
  if (path.startsWith('/')) errs.invalid(field, path, 'must be a relative path');
  if (path.split('/').includes('..')) errs.invalid(field, path, "must not contain '..'");
}

function seccompProfile(sp: Unstructured | undefined, field: string, errs: FieldErrors): void {
  if (!sp) return;
  if (!sp.type) errs.required(`${field}.type`, 'type is required when seccompProfile is set');
  else if (!PROFILE_TYPES.includes(sp.type)) errs.notSupported(`${field}.type`, sp.type, PROFILE_TYPES);
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined || sp.localhostProfile === null) errs.required(`${field}.localhostProfile`, 'must be set when seccomp type is Localhost');
    else relativeDescending(String(sp.localhostProfile), `${field}.localhostProfile`, errs);
  } else if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) {
    errs.invalid(`${field}.localhostProfile`, sp, 'can only be set when seccomp type is Localhost');
  }
}

function appArmorProfile(ap: Unstructured | undefined, field: string, errs: FieldErrors): void {
  if (!ap) return;
  if (!ap.type) errs.required(`${field}.type`, 'type is required when appArmorProfile is set');
  else if (!PROFILE_TYPES.includes(ap.type)) errs.notSupported(`${field}.type`, ap.type, PROFILE_TYPES);
  if (ap.type === 'Localhost') {
    if (!ap.localhostProfile || !String(ap.localhostProfile).trim()) errs.required(`${field}.localhostProfile`, 'must be set when AppArmor type is Localhost');
    else if (String(ap.localhostProfile).length > 4095) errs.tooLong(`${field}.localhostProfile`, 4095);
  } else if (ap.localhostProfile !== undefined && ap.localhostProfile !== null) {
    errs.invalid(`${field}.localhostProfile`, ap, 'can only be set when AppArmor type is Localhost');
  }
}

/** A container's securityContext. */
export function validateSecurityContext(sc: Unstructured | undefined, field: string, hostUsers: boolean, errs: FieldErrors): void {
  if (!sc) return;
  id(sc.runAsUser, `${field}.runAsUser`, errs);
  id(sc.runAsGroup, `${field}.runAsGroup`, errs);
  if (sc.procMount !== undefined && sc.procMount !== null) {
    if (!PROC_MOUNTS.includes(sc.procMount)) errs.notSupported(`${field}.procMount`, sc.procMount, PROC_MOUNTS);
    else if (sc.procMount === 'Unmasked' && hostUsers) errs.forbidden(`${field}.procMount`, '`hostUsers` must be false to use `Unmasked`');
  }
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.invalid(field, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true');
    for (const cap of (sc.capabilities?.add ?? []) as unknown[]) {
      if (cap === 'CAP_SYS_ADMIN') errs.invalid(field, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN');
    }
  }
  seccompProfile(sc.seccompProfile, `${field}.seccompProfile`, errs);
  appArmorProfile(sc.appArmorProfile, `${field}.appArmorProfile`, errs);
}

/** The pod's securityContext, and the namespaces it shares with the node. */
export function validatePodSecurityContext(spec: Unstructured, field: string, errs: FieldErrors): void {
  const sc = spec.securityContext as Unstructured | undefined;
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.invalid(`${field}.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled');
  }
  if (!sc) return;
  id(sc.runAsUser, `${field}.runAsUser`, errs);
  id(sc.runAsGroup, `${field}.runAsGroup`, errs);
  id(sc.fsGroup, `${field}.fsGroup`, errs);
  ((sc.supplementalGroups ?? []) as unknown[]).forEach((g, i) => id(g, `${field}.supplementalGroups[${i}]`, errs));
  if (sc.fsGroupChangePolicy !== undefined && sc.fsGroupChangePolicy !== null && !FS_GROUP_CHANGE_POLICIES.includes(sc.fsGroupChangePolicy)) {
    errs.notSupported(`${field}.fsGroupChangePolicy`, sc.fsGroupChangePolicy, FS_GROUP_CHANGE_POLICIES);
  }
  if (sc.supplementalGroupsPolicy !== undefined && sc.supplementalGroupsPolicy !== null && !SUPPLEMENTAL_GROUPS_POLICIES.includes(sc.supplementalGroupsPolicy)) {
    errs.notSupported(`${field}.supplementalGroupsPolicy`, sc.supplementalGroupsPolicy, SUPPLEMENTAL_GROUPS_POLICIES);
  }
  const names = new Set<string>();
  ((sc.sysctls ?? []) as Unstructured[]).forEach((s, i) => {
    const f = `${field}.sysctls[${i}].name`;
    const name = typeof s.name === 'string' ? s.name : '';
    if (!name) errs.required(f, '');
    else if (name.length > SYSCTL_MAX || !SYSCTL_RE.test(name)) errs.invalid(f, name, `must have at most ${SYSCTL_MAX} characters and match regex ${SYSCTL_FORMAT}`);
    else if (names.has(name)) errs.duplicate(f, name);
    else {
      const ns = sysctlNamespace(name);
      if ((ns === 'net' && spec.hostNetwork === true) || (ns === 'ipc' && spec.hostIPC === true)) {
        errs.invalid(f, name, "may not be specified when 'hostNetwork' or 'hostIPC' is true");
      }
    }
    names.add(name);
  });
  seccompProfile(sc.seccompProfile, `${field}.seccompProfile`, errs);
  appArmorProfile(sc.appArmorProfile, `${field}.appArmorProfile`, errs);
}
