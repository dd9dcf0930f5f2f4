// The PodSecurity admission plugin: a namespace's pod-security.kubernetes.io/* labels (or the
// configured defaults) choose the Pod Security Standard its pods must meet (enforce: refused
// with 403), are warned about (warn: Warning headers), or audited (audit: annotations on the
// request's audit events). Pods are checked when created and when an update changes what they
// run; workload templates are warned about and audited, never refused; exempt namespaces,
// users and runtime classes are not checked; a namespace's labels are validated, and
// tightening its enforce level warns about the pods already there.
import type { ResourceInfo } from '../../../api/resources.js';
import { admissionName, forbidden, invalid } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import type { Pod, PodSpec } from '../../../api/types/pod.js';
import type { UserInfo } from '../../../component-base/authn/user.js';
import { DEFAULT_POD_SECURITY_CONFIG, type PodSecurityConfig } from './config.js';
import { describeViolations, evaluatePod, policyName, type Level, type LevelVersion } from './policy.js';

const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];
const RANK: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };

export interface NamespacePolicy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export interface LabelError {
  label: string;
  value: string;
  message: string;
}

function parseVersion(value: string): number | undefined | Error {
  if (value === 'latest') return undefined;
  const m = /^v1\.(0|[1-9][0-9]*)$/.exec(value);
  return m ? Number(m[1]) : new Error('must be "latest" or "v1.x"');
}

/** The policy a namespace's labels ask for (the defaults where they say nothing), and what is wrong with them. */
export function namespacePolicy(labels: Record<string, string> | undefined, defaults: NamespacePolicy = DEFAULT_POD_SECURITY_CONFIG.defaults): { policy: NamespacePolicy; errors: LabelError[] } {
  const policy: NamespacePolicy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: LabelError[] = [];
  if (!labels) return { policy, errors };
  let enforceSet = false;
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const level = labels[`${PREFIX}${mode}`];
    if (level !== undefined) {
      if ((LEVELS as string[]).includes(level)) {
        policy[mode] = { ...policy[mode], level: level as Level };
        if (mode === 'enforce') enforceSet = true;
      } else {
        errors.push({ label: `${PREFIX}${mode}`, value: level, message: `must be one of ${LEVELS.join(', ')}` });
        // An enforce level that cannot be read enforces the most restrictive; audit and warn fail open.
        policy[mode] = { ...policy[mode], level: mode === 'enforce' ? 'restricted' : 'privileged' };
      }
    }
    const version = labels[`${PREFIX}${mode}-version`];
    if (version !== undefined) {
      const v = parseVersion(version);
      if (v instanceof Error) errors.push({ label: `${PREFIX}${mode}-version`, value: version, message: v.message });
      else policy[mode] = { ...policy[mode], ...(v === undefined ? { minor: undefined } : { minor: v }) };
    }
  }
  // Without a warn label, warnings follow a stricter enforce level, so clients hear why they are refused.
  if (labels[`${PREFIX}warn`] === undefined && enforceSet && RANK[policy.enforce.level] > RANK[policy.warn.level]) {
    policy.warn = { level: policy.enforce.level, ...(labels[`${PREFIX}warn-version`] === undefined ? { minor: policy.enforce.minor } : { minor: policy.warn.minor }) };
  }
  return { policy, errors };
}

/** Where a workload kind keeps its pod template's metadata and spec. */
function templateOf(r: ResourceInfo, obj: KubeObject): { metadata: Pod['metadata']; spec: PodSpec } | undefined {
  const spec = obj.spec as Record<string, any> | undefined;
  let template: Record<string, any> | undefined;
  if (r.group === '' && r.kind === 'PodTemplate') template = (obj as Record<string, any>).template;
  else if (r.group === '' && r.kind === 'ReplicationController') template = spec?.template;
  else if (r.group === 'apps' && ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(r.kind)) template = spec?.template;
  else if (r.group === 'batch' && r.kind === 'Job') template = spec?.template;
  else if (r.group === 'batch' && r.kind === 'CronJob') template = spec?.jobTemplate?.spec?.template;
  if (!template || typeof template !== 'object' || !template.spec || typeof template.spec !== 'object') return undefined;
  return { metadata: template.metadata ?? {}, spec: template.spec as PodSpec };
}

/** Whether an update to a pod changes what it runs (images, containers, ephemeral containers), as Kubernetes decides it. */
function significantPodUpdate(pod: Pod, old: Pod): boolean {
  const images = (cs: Array<{ image?: string }> | undefined) => (cs ?? []).map((c) => c?.image);
  const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(images(pod.spec?.containers), images(old.spec?.containers))) return true;
  if (!same(images(pod.spec?.initContainers), images(old.spec?.initContainers))) return true;
  const before = new Map((old.spec?.ephemeralContainers ?? []).map((c) => [c.name, c.image]));
  return (pod.spec?.ephemeralContainers ?? []).some((c) => !before.has(c.name) || before.get(c.name) !== c.image);
}

export interface PodSecurityLookup {
  /** A namespace's labels, or undefined when it does not exist. */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** The pods of a namespace, for warnings when its enforce level tightens. */
  podsIn(namespace: string): Pod[];
}

/** At most this many existing pods are checked when a namespace's enforce level tightens (as Kubernetes caps it). */
const NAMESPACE_POD_LIMIT = 3000;

/** Records an annotation on the request's audit events (the key without the plugin's prefix). */
export type Annotate = (key: string, value: string) => void;

export class PodSecurityAdmission {
  constructor(
    private readonly lookup: PodSecurityLookup,
    private readonly config: PodSecurityConfig = DEFAULT_POD_SECURITY_CONFIG,
  ) {}

  /**
   * Checks a write by `user`; returns its warnings, or throws 403 Forbidden (a pod the
   * namespace's enforce level refuses) or 422 Invalid (namespace labels that name no level or
   * version). What it decided goes to `annotate`, for the audit log.
   */
  check(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, user?: UserInfo, annotate: Annotate = () => {}): string[] {
    const note: Annotate = (k, v) => annotate(`${PREFIX}${k}`, v);
    if (r.group === '' && r.kind === 'Namespace') return this.checkNamespace(obj, old);
    const namespace = obj.metadata?.namespace;
    if (!namespace) return [];
    const isPod = r.group === '' && r.kind === 'Pod';
    const target = isPod ? { metadata: obj.metadata as Pod['metadata'], spec: obj.spec as PodSpec } : templateOf(r, obj);
    if (!target || !target.spec || typeof target.spec !== 'object') return [];
    if (isPod && old && !significantPodUpdate(obj as unknown as Pod, old as unknown as Pod)) return [];
    const exempt = this.exemption(namespace, user, target.spec);
    if (exempt) {
      note('exempt', exempt);
      return [];
    }
    const { policy } = namespacePolicy(this.lookup.namespaceLabels(namespace), this.config.defaults);
    if (isPod) {
      note('enforce-policy', policyName(policy.enforce));
      const violations = evaluatePod(policy.enforce, target.metadata, target.spec);
      if (violations.length) {
        throw forbidden('pods', '', admissionName(obj.metadata), `violates PodSecurity ${JSON.stringify(policyName(policy.enforce))}: ${describeViolations(violations)}`);
      }
    }
    const audit = evaluatePod(policy.audit, target.metadata, target.spec);
    if (audit.length) note('audit-violations', `would violate PodSecurity ${JSON.stringify(policyName(policy.audit))}: ${describeViolations(audit)}`);
    const warn = evaluatePod(policy.warn, target.metadata, target.spec);
    return warn.length ? [`would violate PodSecurity ${JSON.stringify(policyName(policy.warn))}: ${describeViolations(warn)}`] : [];
  }

  /** Why a pod (or template) is not checked at all, in the order Kubernetes asks: namespace, user, runtime class. */
  private exemption(namespace: string, user: UserInfo | undefined, spec: PodSpec): string | undefined {
    const e = this.config.exemptions;
    if (e.namespaces.includes(namespace)) return 'namespace';
    if (user && e.usernames.includes(user.name)) return 'user';
    const runtimeClass = (spec as { runtimeClassName?: string }).runtimeClassName;
    if (runtimeClass && e.runtimeClasses.includes(runtimeClass)) return 'runtimeClass';
    return undefined;
  }

  private checkNamespace(obj: KubeObject, old: KubeObject | undefined): string[] {
    const defaults = this.config.defaults;
    const next = namespacePolicy(obj.metadata?.labels as Record<string, string> | undefined, defaults);
    const before = old ? namespacePolicy(old.metadata?.labels as Record<string, string> | undefined, defaults) : undefined;
    const unchangedErrors = before && JSON.stringify(before.errors) === JSON.stringify(next.errors);
    if (next.errors.length && !unchangedErrors) {
      throw invalid(
        'Namespace',
        '',
        obj.metadata?.name ?? '',
        next.errors.map((e) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(e.value)}: ${e.message}`, field: `metadata.labels[${e.label}]` })),
      );
    }
    if (!before) return [];
    const a = before.policy.enforce;
    const b = next.policy.enforce;
    if (a.level === b.level && a.minor === b.minor) return [];
    if (b.level === 'privileged') return [];
    if (a.minor === b.minor && RANK[b.level] <= RANK[a.level]) return [];
    if (this.config.exemptions.namespaces.includes(obj.metadata.name!)) {
      return [`namespace ${JSON.stringify(obj.metadata.name)} is exempt from Pod Security, and the policy will have no effect`];
    }
    return this.existingPodWarnings(obj.metadata.name!, b);
  }

  /** What the pods already in a namespace do that its new enforce level forbids, one line per distinct finding. */
  private existingPodWarnings(namespace: string, enforce: LevelVersion): string[] {
    const pods = this.lookup.podsIn(namespace).sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''));
    const checked = pods.slice(0, NAMESPACE_POD_LIMIT);
    const byReason = new Map<string, { first: string; count: number }>();
    for (const pod of checked) {
      const v = evaluatePod(enforce, pod.metadata, pod.spec);
      if (!v.length) continue;
      const reasons = v.map((x) => x.reason).join(', ');
      const seen = byReason.get(reasons);
      if (seen) seen.count++;
      else byReason.set(reasons, { first: pod.metadata.name!, count: 1 });
    }
    const out: string[] = [];
    if (checked.length < pods.length) out.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${pods.length} existing pods`);
    if (!byReason.size) return out;
    out.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(policyName(enforce))}`);
    const lines = [...byReason].map(([reasons, { first, count }]) => {
      const who = count === 1 ? first : count === 2 ? `${first} (and 1 other pod)` : `${first} (and ${count - 1} other pods)`;
      return `${who}: ${reasons}`;
    });
    return [...out, ...lines.sort()];
  }
}
