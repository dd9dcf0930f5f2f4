// The admission plugins this apiserver has, chosen with --enable-admission-plugins and
// --disable-admission-plugins (Kubernetes' names; NamespaceLifecycle is always on: it runs
// first here, and the stores check again as they write), run on every create before it is
// stored; and the checks every write goes through whatever the plugins (RBAC escalation
// prevention, which Kubernetes does in its RBAC storage).
import type { ResourceInfo } from '../../api/resources.js';
import { forbidden, namespaceTerminating, notFound } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { EscalationCheck } from '../authz/escalation.js';
import { checkNodeObject } from '../authz/node.js';
import type { Annotate, PodSecurityAdmission } from './pod-security/admission.js';
import { applyContainerDefaults, checkLimitRanges } from './limit-ranger.js';
import type { ResourceQuotaAdmission } from './resource-quota.js';
import { admitPodPriority, admitPriorityClass, keepPodPriority, type PriorityClassSource } from './priority.js';
import { admitPodRuntimeClass, validatePodRuntimeClass, type RuntimeClassLookup } from './runtime-class.js';
import { admitPodServiceAccount, type ServiceAccountLookup } from './service-account.js';
import type { PolicyOutcome, ValidatingPolicyAdmission } from './policy/validating-policy.js';
import type { WebhookDispatcher, WebhookOutcome } from './webhooks/dispatcher.js';
import type { AdmissionAttributes, Operation } from './webhooks/matching.js';
import { servedView, type ServedView } from './served-attributes.js';
import { admitClaimResize, type StorageClassLookup } from './claim-resize.js';
import type { NamespaceState } from '../registry/store.js';

/** What admission needs to know of a request besides the object: for webhooks and the audit log. */
export interface AdmissionRequest {
  dryRun?: boolean;
  subresource?: string;
  /** The request's CreateOptions, UpdateOptions or DeleteOptions, as webhooks are shown them. */
  options?: Record<string, unknown>;
  annotate?: Annotate;
}

export const ADMISSION_PLUGINS = ['NamespaceLifecycle', 'LimitRanger', 'NodeRestriction', 'ServiceAccount', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'PodSecurity', 'Priority', 'RuntimeClass', 'ValidatingAdmissionPolicy', 'ResourceQuota'];
/** On unless disabled, as in Kubernetes (NodeRestriction also needs the Node authorizer). */
export const DEFAULT_ADMISSION_PLUGINS = ['NamespaceLifecycle', 'LimitRanger', 'NodeRestriction', 'ServiceAccount', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'PodSecurity', 'Priority', 'RuntimeClass', 'ValidatingAdmissionPolicy', 'ResourceQuota'];
export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** The plugins in effect; throws on a name this server does not have. */
export function admissionPlugins(enable: string[], disable: string[]): Set<string> {
  for (const name of [...enable, ...disable]) {
    if (!ADMISSION_PLUGINS.includes(name)) throw new Error(`unknown admission plugin "${name}" (this server has: ${ADMISSION_PLUGINS.join(', ')})`);
  }
  if (disable.includes('NamespaceLifecycle')) throw new Error('NamespaceLifecycle cannot be disabled here: the stores enforce it');
  return new Set([...DEFAULT_ADMISSION_PLUGINS, ...enable].filter((p) => !disable.includes(p)));
}

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const RBAC_RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

/** What the admission plugins read and call, by plugin; a part left out turns its plugin off. */
export interface AdmissionParts {
  /** NamespaceLifecycle: whether a namespace exists and is not being deleted. */
  namespaceState?: (namespace: string) => Promise<NamespaceState>;
  /** ServiceAccount: a namespace's service accounts. */
  accounts: ServiceAccountLookup;
  /** RBAC escalation prevention (not a plugin in Kubernetes either: its RBAC storage does it). */
  escalation?: EscalationCheck;
  /** DefaultStorageClass: the default StorageClass's name, if the cluster has one. */
  defaultStorageClass?: () => string | undefined;
  /** PersistentVolumeClaimResize: the StorageClasses, by name. */
  storageClasses?: StorageClassLookup;
  podSecurity?: PodSecurityAdmission;
  /** LimitRanger: a namespace's LimitRanges. */
  limitRanges?: (namespace: string) => KubeObject[];
  quota?: ResourceQuotaAdmission;
  webhooks?: WebhookDispatcher;
  /** ValidatingAdmissionPolicy: policies and their bindings. */
  policies?: ValidatingPolicyAdmission;
  /** RuntimeClass: the classes, by name. */
  runtimeClasses?: RuntimeClassLookup;
  /** Priority: the PriorityClasses. */
  priorityClasses?: PriorityClassSource;
}

export class Admission {
  private readonly namespaceState?: (namespace: string) => Promise<NamespaceState>;
  private readonly accounts: ServiceAccountLookup;
  private readonly escalation?: EscalationCheck;
  private readonly defaultStorageClass: () => string | undefined;
  private readonly storageClasses?: StorageClassLookup;
  private readonly podSecurity?: PodSecurityAdmission;
  private readonly webhooks?: WebhookDispatcher;
  private readonly limitRanges: (namespace: string) => KubeObject[];
  private readonly quota?: ResourceQuotaAdmission;
  private readonly policies?: ValidatingPolicyAdmission;
  private readonly runtimeClasses?: RuntimeClassLookup;
  private readonly priorityClasses?: PriorityClassSource;

  constructor(
    private readonly plugins: ReadonlySet<string>,
    parts: AdmissionParts,
  ) {
    this.namespaceState = parts.namespaceState;
    this.accounts = parts.accounts;
    this.escalation = parts.escalation;
    this.defaultStorageClass = parts.defaultStorageClass ?? (() => undefined);
    this.storageClasses = plugins.has('PersistentVolumeClaimResize') ? parts.storageClasses : undefined;
    this.podSecurity = parts.podSecurity;
    this.webhooks = parts.webhooks;
    this.limitRanges = parts.limitRanges ?? (() => []);
    this.quota = parts.quota;
    this.policies = plugins.has('ValidatingAdmissionPolicy') ? parts.policies : undefined;
    this.runtimeClasses = plugins.has('RuntimeClass') ? parts.runtimeClasses : undefined;
    this.priorityClasses = plugins.has('Priority') ? parts.priorityClasses : undefined;
  }

  /** LimitRanger applies to pods (created) and claims (created or updated), not their subresources. */
  private limitRanged(r: ResourceInfo, obj: KubeObject, update: boolean, req: AdmissionRequest): 'Pod' | 'PersistentVolumeClaim' | undefined {
    if (!this.plugins.has('LimitRanger') || req.subresource || r.group !== '' || !obj.metadata.namespace) return undefined;
    if (r.kind === 'Pod' && !update) return 'Pod';
    if (r.kind === 'PersistentVolumeClaim') return 'PersistentVolumeClaim';
    return undefined;
  }

  private attributes(operation: Operation, r: ResourceInfo, obj: KubeObject | undefined, old: KubeObject | undefined, user: UserInfo, req: AdmissionRequest): AdmissionAttributes {
    const meta = (obj ?? old)?.metadata;
    return {
      operation,
      group: r.group,
      version: r.version,
      resource: r.plural,
      kind: r.kind,
      namespaced: r.namespaced,
      subresource: req.subresource,
      name: meta?.name ?? '',
      namespace: r.namespaced ? meta?.namespace : undefined,
      object: obj,
      oldObject: old,
      user,
      dryRun: !!req.dryRun,
      options: req.options,
    };
  }

  /** Folds a webhook round's (or the policies') warnings and audit annotations into the request's. */
  private collect(outcome: WebhookOutcome | PolicyOutcome, warnings: string[], req: AdmissionRequest): void {
    warnings.push(...outcome.warnings);
    for (const [k, v] of Object.entries(outcome.annotations)) req.annotate?.(k, v);
  }

  /**
   * Mutates and checks a create's object (stored version, namespace set), by `user`; returns
   * the warnings for the client. What plugins decide goes to `annotate` (the audit log).
   */
  async admit(r: ResourceInfo, obj: KubeObject, user: UserInfo, req: AdmissionRequest = {}): Promise<string[]> {
    // NamespaceLifecycle first, as in Kubernetes: a pod in a namespace that does not exist is
    // told so, not that its service account is missing.
    const namespace = r.namespaced ? obj.metadata.namespace : undefined;
    if (namespace && this.namespaceState) {
      const state = await this.namespaceState(namespace);
      if (state === 'missing') throw notFound('namespaces', '', namespace);
      if (state === 'terminating') throw namespaceTerminating(r.plural, r.group, obj.metadata.name ?? '', namespace);
    }
    const ranged = this.limitRanged(r, obj, false, req);
    const ranges = ranged ? this.limitRanges(obj.metadata.namespace!) : [];
    if (ranged === 'Pod' && ranges.length) applyContainerDefaults(obj, ranges);
    if (r.group === '' && r.kind === 'Pod' && this.plugins.has('ServiceAccount')) await admitPodServiceAccount(obj as unknown as Pod, this.accounts);
    if (this.priorityClasses && !req.subresource) {
      if (r.group === '' && r.kind === 'Pod') admitPodPriority(obj as unknown as Pod, this.priorityClasses);
      else if (r.group === 'scheduling.k8s.io' && r.kind === 'PriorityClass') admitPriorityClass(obj, this.priorityClasses);
    }
    const runtimeClassed = r.group === '' && r.kind === 'Pod' && !req.subresource && this.runtimeClasses;
    if (runtimeClassed) admitPodRuntimeClass(obj as unknown as Pod, runtimeClassed);
    // StorageObjectInUseProtection: claims and volumes are not removed while in use (the
    // controller-manager's pvc-protection and pv-protection controllers let them go).
    if (r.group === '' && (r.kind === 'PersistentVolumeClaim' || r.kind === 'PersistentVolume') && this.plugins.has('StorageObjectInUseProtection')) {
      const finalizer = r.kind === 'PersistentVolumeClaim' ? PVC_PROTECTION : PV_PROTECTION;
      const list = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
      if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
    }
    // DefaultStorageClass: a claim that names no class (null or absent, not "") gets the default.
    if (r.group === '' && r.kind === 'PersistentVolumeClaim' && this.plugins.has('DefaultStorageClass')) {
      const spec = obj.spec as { storageClassName?: string | null } | undefined;
      const name = this.defaultStorageClass();
      if (spec && typeof spec === 'object' && (spec.storageClassName === undefined || spec.storageClassName === null) && name) spec.storageClassName = name;
    }
    this.restrictNode(r, obj, undefined, user);
    const warnings: string[] = [];
    const view = this.externalActive() ? await this.externalView(r, this.attributes('CREATE', r, obj, undefined, user, req)) : undefined;
    if (view && this.webhooks) this.collect(await this.webhooks.mutate(view.attrs), warnings, req);
    await view?.carryBack(obj);
    if (runtimeClassed) validatePodRuntimeClass(obj as unknown as Pod, runtimeClassed);
    if (ranged && ranges.length) checkLimitRanges(ranged, obj, ranges);
    warnings.push(...(await this.validate(r, obj, undefined, user, req.annotate)));
    if (view && this.policies) this.collect(await this.policies.validate(view.attrs), warnings, req);
    if (view && this.webhooks) this.collect(await this.webhooks.validate(view.attrs), warnings, req);
    // ResourceQuota last, as in Kubernetes: only what every other check admitted is charged.
    if (this.quota && this.plugins.has('ResourceQuota') && !req.subresource) await this.quota.admit(r.group, r.plural, obj, undefined, !!req.dryRun);
    return warnings;
  }

  /**
   * Admits an update (of the object, or through `req.subresource`): mutating webhooks, the
   * built-in checks (for the object and pods/ephemeralcontainers, not status), validating
   * webhooks. `next` may be changed by mutating webhooks.
   */
  async admitUpdate(r: ResourceInfo, next: KubeObject, old: KubeObject, user: UserInfo, req: AdmissionRequest = {}): Promise<string[]> {
    this.restrictNode(r, next, old, user);
    const warnings: string[] = [];
    const view = this.externalActive() ? await this.externalView(r, this.attributes('UPDATE', r, next, old, user, req)) : undefined;
    if (view && this.webhooks) this.collect(await this.webhooks.mutate(view.attrs), warnings, req);
    await view?.carryBack(next);
    if (this.priorityClasses && !req.subresource && r.group === 'scheduling.k8s.io' && r.kind === 'PriorityClass') admitPriorityClass(next, this.priorityClasses);
    if (this.priorityClasses && !req.subresource && r.group === '' && r.kind === 'Pod') keepPodPriority(next as unknown as Pod, old as unknown as Pod);
    const ranged = this.limitRanged(r, next, true, req);
    if (ranged) {
      const ranges = this.limitRanges(next.metadata.namespace!);
      if (ranges.length) checkLimitRanges(ranged, next, ranges);
    }
    if (!req.subresource || req.subresource === 'ephemeralcontainers') warnings.push(...(await this.validate(r, next, old, user, req.annotate)));
    if (view && this.policies) this.collect(await this.policies.validate(view.attrs), warnings, req);
    if (view && this.webhooks) this.collect(await this.webhooks.validate(view.attrs), warnings, req);
    if (this.quota && this.plugins.has('ResourceQuota') && !req.subresource) await this.quota.admit(r.group, r.plural, next, old, !!req.dryRun);
    return warnings;
  }

  /**
   * Admits a write through <resource>/scale: webhooks and policies see autoscaling/v1 Scale
   * objects, as in Kubernetes, and mutating webhooks may change `next` (its replicas).
   */
  async admitScale(r: ResourceInfo, next: KubeObject, old: KubeObject, user: UserInfo, req: AdmissionRequest = {}): Promise<string[]> {
    if (!this.externalActive()) return [];
    const attrs = { ...this.attributes('UPDATE', r, next, old, user, { ...req, subresource: 'scale' }), objectKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } };
    return this.externalChecks(attrs, req);
  }

  /**
   * Admits a CONNECT (pods/exec, attach, portforward): webhooks and policies whose rules name
   * the subresource with operation CONNECT see the connection's options (PodExecOptions, ...)
   * as the object, as in Kubernetes; any may refuse it.
   */
  async admitConnect(r: ResourceInfo, subresource: string, namespace: string, name: string, options: KubeObject, user: UserInfo): Promise<void> {
    if (!this.externalActive()) return;
    const attrs: AdmissionAttributes = {
      ...this.attributes('CONNECT', r, options, undefined, user, { subresource }),
      name,
      namespace,
      objectKind: { group: '', version: 'v1', kind: options.kind! },
    };
    await this.externalChecks(attrs, {});
  }

  /** Admits the deletion of `current` (webhooks see it as the old object). */
  async admitDelete(r: ResourceInfo, current: KubeObject, user: UserInfo, req: AdmissionRequest = {}): Promise<void> {
    if (!this.externalActive()) return;
    await this.externalChecks((await this.externalView(r, this.attributes('DELETE', r, undefined, current, user, req))).attrs, req);
  }

  /**
   * The request as webhooks and policies see it (objects in the request's version), converted
   * only when some webhook or policy is there to see it: a conversion may be a webhook call.
   */
  private externalView(r: ResourceInfo, attrs: AdmissionAttributes): Promise<ServedView> | ServedView {
    // Most resources have one version: nothing to convert.
    if (!r.module.conversion) return { attrs, carryBack: async () => undefined };
    return servedView(r, attrs);
  }

  /** Whether any admission webhook or policy is configured: without one, a write skips building their view of it. */
  private externalActive(): boolean {
    return !!(this.webhooks?.active() || this.policies?.active());
  }

  /** Mutating webhooks, policies, validating webhooks: all a write with no built-in checks between them passes. */
  private async externalChecks(attrs: AdmissionAttributes, req: AdmissionRequest): Promise<string[]> {
    const warnings: string[] = [];
    if (this.webhooks) this.collect(await this.webhooks.mutate(attrs), warnings, req);
    if (this.policies) this.collect(await this.policies.validate(attrs), warnings, req);
    if (this.webhooks) this.collect(await this.webhooks.validate(attrs), warnings, req);
    return warnings;
  }

  /** NodeRestriction on Node objects a node writes, through any subresource (metadata changes through status too). */
  private restrictNode(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, user: UserInfo): void {
    if (r.group === '' && r.plural === 'nodes' && this.plugins.has('NodeRestriction')) checkNodeObject(user, obj, old);
  }

  /** Checks a delete before anything is read or written; throws a Status. */
  validateDelete(r: ResourceInfo, name: string): void {
    // NamespaceLifecycle: the namespaces the system itself lives in are immortal.
    if (r.group === '' && r.plural === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) {
      throw forbidden('namespaces', '', name, 'this namespace may not be deleted');
    }
  }

  /**
   * The built-in checks of a write (a create, or an update from `old`; pods/ephemeralcontainers
   * is one) that mutating plugins do not see; throws a Status, or returns the warnings.
   */
  async validate(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, user: UserInfo, annotate?: Annotate): Promise<string[]> {
    if (this.escalation && r.group === 'rbac.authorization.k8s.io' && RBAC_RESOURCES.has(r.plural)) {
      await this.escalation.check(r.plural, obj as Parameters<EscalationCheck['check']>[1], old as Parameters<EscalationCheck['check']>[2], user);
    }
    if (old && this.storageClasses && r.group === '' && r.kind === 'PersistentVolumeClaim') admitClaimResize(obj, old, this.storageClasses);
    return this.podSecurity && this.plugins.has('PodSecurity') ? this.podSecurity.check(r, obj, old, user, annotate) : [];
  }
}
