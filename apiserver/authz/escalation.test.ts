import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../../component-base/authn/user.js';
import { EscalationCheck, compactString, uncovered } from './escalation.js';
import { RbacAuthorizer, type BindingLike, type PolicyRule, type RoleLike } from './rbac.js';

const rule = (verbs: string[], resources: string[], apiGroups = [''], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

function world(clusterRoles: Record<string, PolicyRule[]>, clusterBindings: Array<[string, string]>, roleBindings: Array<[string, string, string]> = []) {
  const source = {
    clusterRole: (name: string): RoleLike | undefined => (clusterRoles[name] ? { metadata: { name }, rules: clusterRoles[name] } : undefined),
    role: (): RoleLike | undefined => undefined,
    clusterRoleBindings: (): BindingLike[] => clusterBindings.map(([user, role]) => ({ metadata: { name: `${user}-${role}` }, roleRef: { kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: user }] })),
    roleBindings: (ns: string): BindingLike[] =>
      roleBindings.filter(([, , n]) => n === ns).map(([user, role]) => ({ metadata: { name: `${user}-${role}`, namespace: ns }, roleRef: { kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: user }] })),
  };
  const rbac = new RbacAuthorizer(source);
  return new EscalationCheck({ authorizer: rbac, source, rulesFor: (u, ns) => rbac.rulesFor(u, ns) });
}
const user = (name: string, groups: string[] = ['system:authenticated']): UserInfo => ({ name, groups });
const clusterRole = (name: string, rules: PolicyRule[], aggregationRule?: unknown) => ({ metadata: { name }, rules, ...(aggregationRule ? { aggregationRule } : {}) });

describe('RBAC escalation prevention', () => {
  it('compares rules as Kubernetes Covers does: wildcards asked need wildcards held, */sub covers subresources, names narrow', async () => {
    expect(uncovered([rule(['get', 'list'], ['pods'])], [rule(['get'], ['pods'])])).toEqual([]);
    expect(uncovered([rule(['get', 'list'], ['pods'])], [rule(['*'], ['pods'])])).toEqual([rule(['*'], ['pods'])]);
    expect(uncovered([rule(['get'], ['*/scale'], ['apps'])], [rule(['get'], ['deployments/scale'], ['apps'])])).toEqual([]);
    expect(uncovered([rule(['get'], ['secrets'], [''], ['a'])], [rule(['get'], ['secrets'], [''], ['a', 'b'])])).toEqual([rule(['get'], ['secrets'], [''], ['b'])]);
    expect(uncovered([rule(['get'], ['secrets'], [''], ['a'])], [rule(['get'], ['secrets'])])).toEqual([rule(['get'], ['secrets'])]);
    expect(uncovered([{ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/healthz/etcd'] }])).toEqual([]);
    expect(compactString({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] })).toBe('{APIGroups:[""], Resources:["pods"], ResourceNames:["x"], Verbs:["get" "list"]}');
  });

  it('lets a user write a role within what they hold, refuses more with the missing rules merged by verb, and lets escalate through', async () => {
    const check = world({ writer: [rule(['create', 'update'], ['clusterroles'], ['rbac.authorization.k8s.io']), rule(['get'], ['pods'])] }, [['ann', 'writer']]);
    await expect(check.check('clusterroles', clusterRole('ok', [rule(['get'], ['pods'])]), undefined, user('ann'))).resolves.toBeUndefined();
    await expect(check.check('clusterroles', clusterRole('more', [rule(['get', 'delete', 'list'], ['pods', 'nodes'])]), undefined, user('ann'))).rejects.toThrow(
      'clusterroles.rbac.authorization.k8s.io "more" is forbidden: user "ann" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "delete" "list"]}\n{APIGroups:[""], Resources:["pods"], Verbs:["delete" "list"]}',
    );
    // An update that leaves the rules alone is no grant.
    await expect(check.check('clusterroles', clusterRole('more', [rule(['*'], ['*'])]), clusterRole('more', [rule(['*'], ['*'])]), user('ann'))).resolves.toBeUndefined();
    await expect(check.check('clusterroles', clusterRole('agg', [], { clusterRoleSelectors: [] }), undefined, user('ann'))).rejects.toThrow(
      'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
    const escalator = world({ esc: [rule(['escalate'], ['clusterroles'], ['rbac.authorization.k8s.io'])] }, [['eve', 'esc']]);
    await expect(escalator.check('clusterroles', clusterRole('root', [rule(['*'], ['*'], ['*'])]), undefined, user('eve'))).resolves.toBeUndefined();
    await expect(escalator.check('clusterroles', clusterRole('root', [rule(['*'], ['*'], ['*'])]), undefined, user('mallory', ['system:masters']))).resolves.toBeUndefined();
  });

  it('lets a user bind a role whose rules they hold, or one they may bind; refuses the rest and a role that does not exist', async () => {
    const check = world(
      { reader: [rule(['get'], ['pods'])], root: [rule(['*'], ['*'], ['*'])], binder: [rule(['bind'], ['clusterroles'], ['rbac.authorization.k8s.io'], ['root'])] },
      [],
      [['ann', 'reader', 'team'], ['bob', 'binder', 'team']],
    );
    const binding = (name: string, role: string) => ({ metadata: { name, namespace: 'team' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: 'x' }] });
    await expect(check.check('rolebindings', binding('b1', 'reader'), undefined, user('ann'))).resolves.toBeUndefined();
    await expect(check.check('rolebindings', binding('b2', 'root'), undefined, user('ann'))).rejects.toThrow('is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    await expect(check.check('rolebindings', binding('b3', 'root'), undefined, user('bob'))).resolves.toBeUndefined();
    await expect(check.check('rolebindings', binding('b4', 'ghost'), undefined, user('ann'))).rejects.toThrow('rolebindings.rbac.authorization.k8s.io "b4" is forbidden: clusterrole.rbac.authorization.k8s.io "ghost" not found');
  });
});
