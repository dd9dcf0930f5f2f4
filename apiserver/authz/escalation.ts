// RBAC escalation prevention, as Kubernetes' RBAC storage enforces it: no one grants
// permissions they do not hold. Writing a Role or ClusterRole needs the `escalate` verb on it,
// or every permission in its rules; writing a RoleBinding or ClusterRoleBinding needs `bind` on
// the role it refers to, or every permission in that role. An aggregationRule needs full
// authority. Members of system:masters may always. Refusals are 403 with Kubernetes' wording
// and the list of permissions that are missing.
import { StatusError } from '../../api/status.js';
import { MASTERS_GROUP, type UserInfo } from '../../component-base/authn/user.js';
import type { Authorizer } from './authorizer.js';
import type { PolicyRule, RbacSource, RoleRef } from './rbac.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** One rule per group, resource, verb and name (or URL and verb): what Covers compares. */
export function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const holds = (set: string[] | undefined, v: string) => !!set && set.includes(v);
const holdsAll = (set: string[] | undefined, vs: string[] | undefined) => (vs ?? []).every((v) => holds(set, v));

/** `o` without its trailing `*`s (by hand: `/\*+$/` takes quadratic time over a long run of them). */
function withoutTrailingStars(o: string): string {
  let end = o.length;
  while (end > 0 && o.charCodeAt(end - 1) === 42) end--;
  return o.slice(0, end);
}

/** Whether an owner's rule covers one broken-down rule (a `*` asked for needs a `*` held). */
function covers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = holds(owner.verbs, '*') || holdsAll(owner.verbs, sub.verbs);
  const groups = holds(owner.apiGroups, '*') || holdsAll(owner.apiGroups, sub.apiGroups);
  const resources =
    holds(owner.resources, '*') ||
    (sub.resources ?? []).every((r) => holds(owner.resources, r) || (r.includes('/') && holds(owner.resources, `*/${r.slice(r.indexOf('/') + 1)}`)));
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => o === p || (o.endsWith('*') && p.startsWith(withoutTrailingStars(o)))));
  const names = !owner.resourceNames?.length || (!!sub.resourceNames?.length && holdsAll(owner.resourceNames, sub.resourceNames));
  return verbs && groups && resources && urls && names;
}

/** The broken-down rules of `wanted` that `owner` does not cover. */
export function uncovered(owner: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(breakdown).filter((sub) => !owner.some((o) => covers(o, sub)));
}

const quoted = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** Kubernetes' compact form of a rule in escalation messages. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${quoted(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${quoted(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${quoted(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${quoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** Merges the verbs of missing rules that differ only in verb, as the message shows them. */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const merged = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const r of rules) {
    if (r.resourceNames?.length || r.nonResourceURLs?.length) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources]);
    const seen = merged.get(key);
    if (seen) {
      for (const v of r.verbs) if (!seen.verbs.includes(v)) seen.verbs.push(v);
    } else {
      const copy = { ...r, verbs: [...r.verbs] };
      merged.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

export interface EscalationDeps {
  authorizer: Authorizer;
  source: RbacSource;
  rulesFor(user: UserInfo, namespace: string): PolicyRule[];
}

type RbacObject = { metadata: { name?: string; namespace?: string }; rules?: PolicyRule[] | null; aggregationRule?: unknown; roleRef?: RoleRef & { apiGroup?: string } };

export class EscalationCheck {
  constructor(private readonly d: EscalationDeps) {}

  private forbidden(plural: string, name: string, message: string): StatusError {
    return new StatusError(403, 'Forbidden', `${plural}.${RBAC_GROUP} "${name}" is forbidden: ${message}`, { name, group: RBAC_GROUP, kind: plural });
  }

  private async allowedVerb(user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
    return (await this.d.authorizer.authorize(user, { resourceRequest: true, verb, apiGroup: RBAC_GROUP, apiVersion: 'v1', namespace, resource, subresource: '', name })).decision === 'allow';
  }

  private confirmNoEscalation(user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
    const missing = uncovered(this.d.rulesFor(user, namespace), rules);
    if (!missing.length) return undefined;
    const lines = [...new Set(compact(missing).map(compactString))].sort();
    return `user ${JSON.stringify(user.name)} (groups=${quoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  }

  /** Throws 403 when `user` may not write `obj` (a create, or an update from `old`) of an RBAC resource. */
  async check(resource: string, obj: RbacObject, old: RbacObject | undefined, user: UserInfo): Promise<void> {
    if (user.groups.includes(MASTERS_GROUP)) return;
    const name = obj.metadata.name ?? '';
    const namespace = obj.metadata.namespace ?? '';
    if (resource === 'roles' || resource === 'clusterroles') {
      const same = old && JSON.stringify(old.rules ?? []) === JSON.stringify(obj.rules ?? []) && JSON.stringify(old.aggregationRule ?? null) === JSON.stringify(obj.aggregationRule ?? null);
      if (same || (await this.allowedVerb(user, 'escalate', resource, namespace, name))) return;
      if (resource === 'clusterroles' && obj.aggregationRule && this.confirmNoEscalation(user, '', FULL_AUTHORITY)) {
        throw this.forbidden(resource, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
      const refused = this.confirmNoEscalation(user, namespace, obj.rules ?? []);
      if (refused) throw this.forbidden(resource, name, refused);
      return;
    }
    if (resource === 'rolebindings' || resource === 'clusterrolebindings') {
      const ref = obj.roleRef;
      if (!ref) return; // validation refuses it
      if (old && JSON.stringify(old.roleRef) === JSON.stringify(ref) && JSON.stringify((old as { subjects?: unknown }).subjects ?? []) === JSON.stringify((obj as { subjects?: unknown }).subjects ?? [])) return;
      const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
      if ((await this.allowedVerb(user, 'bind', refResource, namespace, ref.name))) return;
      const role = ref.kind === 'Role' ? this.d.source.role(namespace, ref.name) : ref.kind === 'ClusterRole' ? this.d.source.clusterRole(ref.name) : undefined;
      if (!role) throw this.forbidden(resource, name, `${ref.kind.toLowerCase()}.${RBAC_GROUP} "${ref.name}" not found`);
      const refused = this.confirmNoEscalation(user, namespace, role.rules ?? []);
      if (refused) throw this.forbidden(resource, name, refused);
    }
  }
}
