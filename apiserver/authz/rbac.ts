// RBAC: a request is allowed when some rule of some role bound to the user covers it. A
// ClusterRoleBinding grants its role's rules everywhere; a RoleBinding grants its Role's (or a
// ClusterRole's) rules in its own namespace only. Rules match verbs, API groups, resources
// (`pods`, `pods/log`, `*/scale`, `*`), resource names and non-resource URLs (`/healthz`,
// `/healthz/*`) as Kubernetes' RBAC authorizer matches them. RBAC never denies: what no rule
// allows is "no opinion", left to the next mode (and then refused).
import type { UserInfo } from '../../component-base/authn/user.js';
import type { Authorizer, Decision } from './authorizer.js';
import type { RequestAttributes } from './request-info.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface RoleLike {
  metadata: { name?: string; namespace?: string };
  rules?: PolicyRule[];
}

export interface BindingLike {
  metadata: { name?: string; namespace?: string };
  subjects?: Subject[];
  roleRef: RoleRef;
}

/** Where RBAC objects are read from (the apiserver's watch caches; arrays in tests). */
export interface RbacSource {
  clusterRole(name: string): RoleLike | undefined;
  role(namespace: string, name: string): RoleLike | undefined;
  clusterRoleBindings(): BindingLike[];
  roleBindings(namespace: string): BindingLike[];
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's namespace.
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.name === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule covers the request. */
export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) return urlMatches(rule, attrs.path);
  if (!has(rule.apiGroups, attrs.apiGroup)) return false;
  if (!resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attrs.name !== '' && names.includes(attrs.name));
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly source: RbacSource) {}

  /** The rules that apply to `user` in `namespace` (cluster-wide ones included); '' for cluster scope. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const out: PolicyRule[] = [];
    for (const b of this.source.clusterRoleBindings()) {
      if (b.roleRef.kind !== 'ClusterRole' || !(b.subjects ?? []).some((s) => subjectMatches(s, user))) continue;
      out.push(...(this.source.clusterRole(b.roleRef.name)?.rules ?? []));
    }
    if (namespace) {
      for (const b of this.source.roleBindings(namespace)) {
        if (!(b.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
        const role = b.roleRef.kind === 'ClusterRole' ? this.source.clusterRole(b.roleRef.name) : b.roleRef.kind === 'Role' ? this.source.role(namespace, b.roleRef.name) : undefined;
        out.push(...(role?.rules ?? []));
      }
    }
    return out;
  }

  authorize(user: UserInfo, attrs: RequestAttributes): Decision {
    const namespace = attrs.resourceRequest ? attrs.namespace : '';
    return this.rulesFor(user, namespace).some((r) => ruleAllows(r, attrs)) ? { decision: 'allow' } : { decision: 'no-opinion' };
  }
}
