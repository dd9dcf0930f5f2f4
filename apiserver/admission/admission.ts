// The admission plugins this apiserver has, chosen with --enable-admission-plugins and
// --disable-admission-plugins (Kubernetes' names; NamespaceLifecycle is built into the
// stores and always on), run on every create before it is stored; and the checks every write
// goes through whatever the plugins (RBAC escalation prevention, which Kubernetes does in its
// RBAC storage).
import type { ResourceInfo } from '../../api/resources.js';
import { forbidden } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { EscalationCheck } from '../authz/escalation.js';
import type { PodSecurityAdmission } from './pod-security/admission.js';
import { admitPodServiceAccount, type ServiceAccountLookup } from './service-account.js';

export const ADMISSION_PLUGINS = ['NamespaceLifecycle', 'NodeRestriction', 'ServiceAccount', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PodSecurity'];
/** On unless disabled, as in Kubernetes (NodeRestriction also needs the Node authorizer). */
export const DEFAULT_ADMISSION_PLUGINS = ['NamespaceLifecycle', 'NodeRestriction', 'ServiceAccount', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PodSecurity'];
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

export class Admission {
  constructor(
    private readonly plugins: ReadonlySet<string>,
    private readonly accounts: ServiceAccountLookup,
    private readonly escalation?: EscalationCheck,
    /** The default StorageClass's name, if the cluster has one. */
    private readonly defaultStorageClass: () => string | undefined = () => undefined,
    private readonly podSecurity?: PodSecurityAdmission,
  ) {}

  /** Mutates and checks a create's object (stored version, namespace set), by `user`; returns the warnings for the client. */
  async admit(r: ResourceInfo, obj: KubeObject, user: UserInfo): Promise<string[]> {
    if (r.group === '' && r.kind === 'Pod' && this.plugins.has('ServiceAccount')) await admitPodServiceAccount(obj as unknown as Pod, this.accounts);
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
    return this.validate(r, obj, undefined, user);
  }

  /** Checks a delete before anything is read or written; throws a Status. */
  validateDelete(r: ResourceInfo, name: string): void {
    // NamespaceLifecycle: the namespaces the system itself lives in are immortal.
    if (r.group === '' && r.plural === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) {
      throw forbidden('namespaces', '', name, 'this namespace may not be deleted');
    }
  }

  /**
   * Checks a write (a create, or an update from `old`; pods/ephemeralcontainers is one) that
   * mutating plugins do not see; throws a Status, or returns the warnings for the client.
   */
  validate(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, user: UserInfo): string[] {
    if (this.escalation && r.group === 'rbac.authorization.k8s.io' && RBAC_RESOURCES.has(r.plural)) {
      this.escalation.check(r.plural, obj as Parameters<EscalationCheck['check']>[1], old as Parameters<EscalationCheck['check']>[2], user);
    }
    return this.podSecurity && this.plugins.has('PodSecurity') ? this.podSecurity.check(r, obj, old) : [];
  }
}
