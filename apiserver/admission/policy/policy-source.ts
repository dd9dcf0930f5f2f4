// What ValidatingAdmissionPolicies read, from the apiserver's caches: the policies and
// bindings, namespaces, and parameter objects of any served kind (custom resources too).
import { fromLabelSelector, matches } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/types/meta.js';
import type { Registry } from '../../registry/registry.js';
import type { PolicySource } from './validating-policy.js';

export function policySource(registry: Registry): PolicySource {
  const cached = (plural: string) => {
    const store = registry.storeFor(registry.table.find('admissionregistration.k8s.io', 'v1', plural)!);
    return store.cache.list(store.keyPrefix()).map((o) => o.obj);
  };
  const namespaces = registry.storeFor(registry.table.find('', 'v1', 'namespaces')!);
  return {
    policies: () => cached('validatingadmissionpolicies'),
    bindings: () => cached('validatingadmissionpolicybindings'),
    namespace: (name) => namespaces.getCached(undefined, name)?.obj,
    resourceAt: (group, version, plural) => registry.table.find(group, version, plural),
    params(apiVersion, kind, namespace, name, selector) {
      const slash = apiVersion.indexOf('/');
      const group = slash < 0 ? '' : apiVersion.slice(0, slash);
      const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
      const info = registry.table.all().find((r) => r.group === group && r.version === version && r.kind === kind);
      if (!info) return undefined;
      const store = registry.storeFor(info);
      const ns = info.namespaced ? namespace : undefined;
      if (name !== undefined) {
        const one = store.getCached(ns, name)?.obj;
        return { namespaced: info.namespaced, objects: one ? [one] : [] };
      }
      const wanted = fromLabelSelector(selector ?? {});
      const objects: KubeObject[] = store.cache
        .list(store.keyPrefix(ns))
        .map((o) => o.obj)
        .filter((o) => matches(wanted, o.metadata.labels as Record<string, string> | undefined));
      return { namespaced: info.namespaced, objects };
    },
  };
}
