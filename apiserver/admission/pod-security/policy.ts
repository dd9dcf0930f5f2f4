// The Pod Security Standards as checks on a pod spec (pure): baseline and restricted, by
// policy version, each check naming what it forbids and where, in the words Kubernetes'
// PodSecurity admission uses. Checks run in Kubernetes' order (baseline checks by id, then
// restricted ones), and a restricted check replaces the baseline check it tightens.
import { safeSysctls } from '../../../api/sysctls.js';
import type { Container, Pod, PodSpec } from '../../../api/types/pod.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

/** A policy version: a Kubernetes minor (1.N), or the newest this server knows. */
export interface LevelVersion {
  level: Level;
  /** The minor version; undefined means "latest". */
  minor?: number;
}

/** The newest policy version this server implements (its own Kubernetes version). */
export const LATEST_MINOR = 32;

export interface Violation {
  reason: string;
  detail: string;
}

type Meta = Pod['metadata'];
type Check = (meta: Meta, spec: PodSpec, minor: number) => Violation | undefined;

interface CheckDef {
  id: string;
  level: 'baseline' | 'restricted';
  /** Applies from this policy version on. */
  since: number;
  /** A restricted check that replaces these baseline ones. */
  overrides?: string[];
  check: Check;
}

const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
const quoted = (items: readonly string[]) => (items.length ? `"${items.join('", "')}"` : '');
const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

/** A list field as a list: admission may see a body validation has yet to refuse. */
const listOf = <T>(x: T[] | undefined | unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const objectsOf = <T>(x: T[] | undefined | unknown): T[] => listOf<T>(x).filter((i) => !!i && typeof i === 'object');

/** Init, regular and ephemeral containers, in that order. */
function containers(spec: PodSpec): Container[] {
  return [...objectsOf<Container>(spec.initContainers), ...objectsOf<Container>(spec.containers), ...objectsOf<Container>(spec.ephemeralContainers)];
}

function named(what: string, names: string[]): string {
  return `${plural(what, `${what}s`, names.length)} ${quoted(names)}`;
}

/** "pod and containers "a", "b"": who set a forbidden value. */
function setters(pod: boolean, badContainers: string[]): string[] {
  return [...(pod ? ['pod'] : []), ...(badContainers.length ? [named('container', badContainers)] : [])];
}

const windows = (spec: PodSpec) => (spec.os as { name?: string } | undefined)?.name === 'windows';

const DEFAULT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

const RESTRICTED_OK_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

const allowedProfile = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';

/** Who sets a seccomp or AppArmor profile other than RuntimeDefault or Localhost, and to what. */
function forbiddenProfiles(spec: PodSpec, field: 'seccompProfile' | 'appArmorProfile'): { pod: boolean; containers: string[]; values: string[] } {
  const values: string[] = [];
  const podProfile = spec.securityContext?.[field];
  const pod = !!podProfile && !allowedProfile(podProfile.type);
  if (pod) values.push(String(podProfile!.type));
  const bad = containers(spec).filter((c) => {
    const p = c.securityContext?.[field];
    if (!p || allowedProfile(p.type)) return false;
    values.push(String(p.type));
    return true;
  });
  return { pod, containers: bad.map((c) => c.name), values };
}

const CHECKS: CheckDef[] = [
  {
    id: 'appArmorProfile',
    level: 'baseline',
    since: 0,
    check: (meta, spec) => {
      const bad = forbiddenProfiles(spec, 'appArmorProfile');
      const who = setters(bad.pod, bad.containers);
      const annotations = Object.entries(meta.annotations ?? {})
        .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .sort();
      const list = [...sorted(bad.values), ...annotations];
      if (annotations.length) who.push(plural('annotation', 'annotations', annotations.length));
      if (!who.length) return undefined;
      return { reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', list.length), detail: `${who.join(' and ')} must not set AppArmor profile type to ${quoted(list)}` };
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const caps: string[] = [];
      const bad = containers(spec).filter((c) => {
        const extra = listOf<string>(c.securityContext?.capabilities?.add).filter((cap) => !DEFAULT_CAPABILITIES.has(cap));
        caps.push(...extra);
        return extra.length > 0;
      });
      if (!bad.length) return undefined;
      return { reason: 'non-default capabilities', detail: `${named('container', bad.map((c) => c.name))} must not include ${quoted(sorted(caps))} in securityContext.capabilities.add` };
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const shared = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter((s): s is string => !!s);
      return shared.length ? { reason: 'host namespaces', detail: shared.join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const names = objectsOf<NonNullable<PodSpec['volumes']>[number]>(spec.volumes).filter((v) => v.hostPath).map((v) => v.name);
      return names.length ? { reason: 'hostPath volumes', detail: named('volume', names) } : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const ports: string[] = [];
      const bad = containers(spec).filter((c) => {
        const used = objectsOf<{ hostPort?: number }>(c.ports).filter((p) => p.hostPort).map((p) => String(p.hostPort));
        ports.push(...used);
        return used.length > 0;
      });
      if (!bad.length) return undefined;
      const list = sorted(ports);
      return { reason: 'hostPort', detail: `${named('container', bad.map((c) => c.name))} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', list.length)} ${list.join(', ')}` };
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const bad = containers(spec).filter((c) => c.securityContext?.privileged === true);
      return bad.length ? { reason: 'privileged', detail: `${named('container', bad.map((c) => c.name))} must not set securityContext.privileged=true` } : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const types: string[] = [];
      const bad = containers(spec).filter((c) => {
        const t = c.securityContext?.procMount;
        if (t === undefined || t === null || t === 'Default') return false;
        types.push(t);
        return true;
      });
      return bad.length ? { reason: 'procMount', detail: `${named('container', bad.map((c) => c.name))} must not set securityContext.procMount to ${quoted(sorted(types))}` } : undefined;
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    since: 0,
    check: (_m, spec, minor) => {
      const allowed = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', ...(minor >= 31 ? ['container_engine_t'] : [])]);
      const types: string[] = [];
      let user = false;
      let role = false;
      const valid = (o: { user?: string; role?: string; type?: string }) => {
        let ok = true;
        if (!allowed.has(o.type ?? '')) {
          ok = false;
          types.push(o.type ?? '');
        }
        if (o.user) {
          ok = false;
          user = true;
        }
        if (o.role) {
          ok = false;
          role = true;
        }
        return ok;
      };
      const podOpts = spec.securityContext?.seLinuxOptions;
      const podBad = !!podOpts && !valid(podOpts);
      const bad = containers(spec).filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions));
      const who = setters(podBad, bad.map((c) => c.name));
      if (!who.length) return undefined;
      const what = [...(types.length ? [`${plural('type', 'types', sorted(types).length)} ${quoted(sorted(types))}`] : []), ...(user ? ['user may not be set'] : []), ...(role ? ['role may not be set'] : [])];
      return { reason: 'seLinuxOptions', detail: `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${what.join('; ')}` };
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const bad = forbiddenProfiles(spec, 'seccompProfile');
      const who = setters(bad.pod, bad.containers);
      return who.length ? { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${quoted(sorted(bad.values))}` } : undefined;
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    since: 0,
    check: (_m, spec, minor) => {
      const safe = safeSysctls(minor);
      const bad = objectsOf<{ name: string }>(spec.securityContext?.sysctls).map((s) => s.name).filter((n) => !safe.has(n));
      return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    since: 0,
    check: (_m, spec) => {
      const hostProcess = (o: unknown) => (o as { hostProcess?: boolean } | undefined)?.hostProcess === true;
      const podBad = hostProcess((spec.securityContext as { windowsOptions?: unknown } | undefined)?.windowsOptions);
      const bad = containers(spec).filter((c) => hostProcess((c.securityContext as { windowsOptions?: unknown } | undefined)?.windowsOptions));
      const who = setters(podBad, bad.map((c) => c.name));
      return who.length ? { reason: 'hostProcess', detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
    },
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    since: 8,
    check: (_m, spec, minor) => {
      if (minor >= 25 && windows(spec)) return undefined;
      const bad = containers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
      return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${named('container', bad.map((c) => c.name))} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    since: 22,
    overrides: ['capabilities_baseline'],
    check: (_m, spec, minor) => {
      if (minor >= 25 && windows(spec)) return undefined;
      const missingDrop: string[] = [];
      const adding: string[] = [];
      const caps: string[] = [];
      for (const c of containers(spec)) {
        const set = c.securityContext?.capabilities;
        if (!set) {
          missingDrop.push(c.name);
          continue;
        }
        if (!listOf<string>(set.drop).includes('ALL')) missingDrop.push(c.name);
        const extra = listOf<string>(set.add).filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (extra.length) {
          adding.push(c.name);
          caps.push(...extra);
        }
      }
      const details = [
        ...(missingDrop.length ? [`${named('container', missingDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
        ...(adding.length ? [`${named('container', adding)} must not include ${quoted(sorted(caps))} in securityContext.capabilities.add`] : []),
      ];
      return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    since: 0,
    overrides: ['hostPathVolumes'],
    check: (_m, spec) => {
      const names: string[] = [];
      const types: string[] = [];
      for (const v of objectsOf<NonNullable<PodSpec['volumes']>[number]>(spec.volumes)) {
        const kind = Object.keys(v).find((k) => k !== 'name' && (v as Record<string, unknown>)[k] !== undefined && (v as Record<string, unknown>)[k] !== null);
        if (kind && RESTRICTED_OK_VOLUMES.includes(kind)) continue;
        names.push(v.name);
        types.push(kind ?? 'unknown');
      }
      if (!names.length) return undefined;
      const list = sorted(types);
      return { reason: 'restricted volume types', detail: `${named('volume', names)} ${plural('uses', 'use', names.length)} ${plural('restricted volume type', 'restricted volume types', list.length)} ${quoted(list)}` };
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    since: 0,
    check: (_m, spec) => {
      const pod = spec.securityContext?.runAsNonRoot;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containers(spec)) {
        const own = c.securityContext?.runAsNonRoot;
        if (own === false) explicit.push(c.name);
        else if (own === undefined || own === null) {
          if (pod !== true) implicit.push(c.name);
        }
      }
      const who = setters(pod === false, explicit);
      if (who.length) return { reason: 'runAsNonRoot != true', detail: `${who.join(' and ')} must not set securityContext.runAsNonRoot=false` };
      if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${named('container', implicit)} must set securityContext.runAsNonRoot=true` };
      return undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    since: 23,
    check: (_m, spec) => {
      const bad = containers(spec).filter((c) => c.securityContext?.runAsUser === 0);
      const who = setters(spec.securityContext?.runAsUser === 0, bad.map((c) => c.name));
      return who.length ? { reason: 'runAsUser=0', detail: `${who.join(' and ')} must not set runAsUser=0` } : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    since: 19,
    overrides: ['seccompProfile_baseline'],
    check: (_m, spec, minor) => {
      if (minor >= 25 && windows(spec)) return undefined;
      const bad = forbiddenProfiles(spec, 'seccompProfile');
      const who = setters(bad.pod, bad.containers);
      if (who.length) return { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${quoted(sorted(bad.values))}` };
      // Unset on a container is fine only when the pod sets an allowed one.
      const podSet = !!spec.securityContext?.seccompProfile;
      const implicit = podSet ? [] : containers(spec).filter((c) => !c.securityContext?.seccompProfile).map((c) => c.name);
      if (implicit.length) return { reason: 'seccompProfile', detail: `pod or ${named('container', implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
      return undefined;
    },
  },
];

// Asked three times per pod written (enforce, audit, warn): each level and version worked out once.
// A finite set: three levels, and versions clamped to LATEST_MINOR by the caller.
const checksByPolicy = new Map<string, CheckDef[]>();

/** The checks of a level at a policy version, in the order their findings are reported. */
function checksFor(level: Level, minor: number): CheckDef[] {
  if (level === 'privileged') return [];
  const key = `${level}:${minor}`;
  let checks = checksByPolicy.get(key);
  if (!checks) checksByPolicy.set(key, (checks = applicableChecks(level, minor)));
  return checks;
}

function applicableChecks(level: Level, minor: number): CheckDef[] {
  const applicable = CHECKS.filter((c) => c.since <= minor && (level === 'restricted' || c.level === 'baseline'));
  const replaced = new Set(applicable.flatMap((c) => c.overrides ?? []));
  return applicable.filter((c) => !replaced.has(c.id));
}

/** What the pod does that `policy` forbids; empty when it is allowed. */
export function evaluatePod(policy: LevelVersion, meta: Meta, spec: PodSpec): Violation[] {
  const minor = Math.min(policy.minor ?? LATEST_MINOR, LATEST_MINOR);
  const out: Violation[] = [];
  for (const c of checksFor(policy.level, minor)) {
    const v = c.check(meta ?? {}, spec, minor);
    if (v) out.push(v);
  }
  return out;
}

/** "restricted:latest", "baseline:v1.29". */
export function policyName(p: LevelVersion): string {
  return `${p.level}:${p.minor === undefined ? 'latest' : `v1.${p.minor}`}`;
}

/** "reason (detail), reason (detail)", as Kubernetes joins a pod's violations. */
export function describeViolations(violations: Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}
