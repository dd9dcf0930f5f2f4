// RBAC's view of Roles, ClusterRoles and their bindings: the apiserver's own watch caches, so
// an authorization decision costs no etcd read (and, as in Kubernetes, follows a change to a
// binding within the moment its watch event takes).
import { findResource } from '../../api/resources.js';
import type { Registry } from '../registry/registry.js';
import type { BindingLike, RbacSource, RoleLike } from './rbac.js';

const rbac = (plural: string) => findResource('rbac.authorization.k8s.io', 'v1', plural)!;

export function registryRbacSource(registry: Registry): RbacSource {
  const clusterRoles = registry.storeFor(rbac('clusterroles'));
  const roles = registry.storeFor(rbac('roles'));
  const clusterRoleBindings = registry.storeFor(rbac('clusterrolebindings'));
  const roleBindings = registry.storeFor(rbac('rolebindings'));
  return {
    clusterRole: (name) => clusterRoles.getCached(undefined, name)?.obj as RoleLike | undefined,
    role: (namespace, name) => roles.getCached(namespace, name)?.obj as RoleLike | undefined,
    clusterRoleBindings: () => clusterRoleBindings.cache.list(clusterRoleBindings.keyPrefix()).map((o) => o.obj as unknown as BindingLike),
    roleBindings: (namespace) => roleBindings.cache.list(roleBindings.keyPrefix(namespace)).map((o) => o.obj as unknown as BindingLike),
  };
}
