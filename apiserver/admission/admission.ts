// The admission plugins this apiserver has, chosen with --enable-admission-plugins and
// --disable-admission-plugins (Kubernetes' names; NamespaceLifecycle is built into the
// stores and always on), and the mutating step run on every create before it is stored.
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import { admitPodServiceAccount, type ServiceAccountLookup } from './service-account.js';

export const ADMISSION_PLUGINS = ['NamespaceLifecycle', 'NodeRestriction', 'ServiceAccount'];
/** On unless disabled, as in Kubernetes (NodeRestriction also needs the Node authorizer). */
export const DEFAULT_ADMISSION_PLUGINS = ['NamespaceLifecycle', 'NodeRestriction', 'ServiceAccount'];

/** The plugins in effect; throws on a name this server does not have. */
export function admissionPlugins(enable: string[], disable: string[]): Set<string> {
  for (const name of [...enable, ...disable]) {
    if (!ADMISSION_PLUGINS.includes(name)) throw new Error(`unknown admission plugin "${name}" (this server has: ${ADMISSION_PLUGINS.join(', ')})`);
  }
  if (disable.includes('NamespaceLifecycle')) throw new Error('NamespaceLifecycle cannot be disabled here: the stores enforce it');
  return new Set([...DEFAULT_ADMISSION_PLUGINS, ...enable].filter((p) => !disable.includes(p)));
}

export class CreateAdmission {
  constructor(
    private readonly plugins: ReadonlySet<string>,
    private readonly accounts: ServiceAccountLookup,
  ) {}

  /** Mutates a create's object (stored version, namespace set) as the enabled plugins do. */
  async admit(r: ResourceInfo, obj: KubeObject): Promise<void> {
    if (r.group === '' && r.kind === 'Pod' && this.plugins.has('ServiceAccount')) await admitPodServiceAccount(obj as unknown as Pod, this.accounts);
  }
}
