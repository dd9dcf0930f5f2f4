import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../../component-base/authn/user.js';
import { forbidden } from './authorizer.js';
import { RbacAuthorizer, type BindingLike, type RbacSource, type RoleLike } from './rbac.js';
import { requestAttributes } from './request-info.js';

function source(clusterRoles: RoleLike[], roles: RoleLike[], crbs: BindingLike[], rbs: BindingLike[]): RbacSource {
  return {
    clusterRole: (name) => clusterRoles.find((r) => r.metadata.name === name),
    role: (ns, name) => roles.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    clusterRoleBindings: () => crbs,
    roleBindings: (ns) => rbs.filter((b) => b.metadata.namespace === ns),
  };
}

const rbac = new RbacAuthorizer(
  source(
    [
      { metadata: { name: 'cluster-admin' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
      { metadata: { name: 'pod-reader' }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }] },
      { metadata: { name: 'scaler' }, rules: [{ verbs: ['update', 'patch'], apiGroups: ['apps'], resources: ['*/scale'] }] },
      { metadata: { name: 'health' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz/*', '/version'] }] },
    ],
    [{ metadata: { name: 'one-config', namespace: 'dev' }, rules: [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }] }],
    [
      { metadata: { name: 'admins' }, subjects: [{ kind: 'Group', name: 'system:masters' }], roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } },
      { metadata: { name: 'health' }, subjects: [{ kind: 'Group', name: 'system:unauthenticated' }, { kind: 'Group', name: 'system:authenticated' }], roleRef: { kind: 'ClusterRole', name: 'health' } },
    ],
    [
      { metadata: { name: 'jane-reads', namespace: 'dev' }, subjects: [{ kind: 'User', name: 'jane' }], roleRef: { kind: 'ClusterRole', name: 'pod-reader' } },
      { metadata: { name: 'jane-config', namespace: 'dev' }, subjects: [{ kind: 'User', name: 'jane' }], roleRef: { kind: 'Role', name: 'one-config' } },
      { metadata: { name: 'bot-scales', namespace: 'dev' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }], roleRef: { kind: 'ClusterRole', name: 'scaler' } },
    ],
  ),
);

const jane: UserInfo = { name: 'jane', groups: ['system:authenticated'] };
const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const bot: UserInfo = { name: 'system:serviceaccount:dev:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'] };
const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const allowed = (u: UserInfo, method: string, path: string, watch?: string) => rbac.authorize(u, requestAttributes(method, path, watch)).decision === 'allow';

describe('RBAC', () => {
  it('grants a ClusterRoleBinding everywhere and a RoleBinding only in its namespace', () => {
    expect(allowed(admin, 'DELETE', '/api/v1/nodes/n1')).toBe(true);
    expect(allowed(admin, 'GET', '/metrics')).toBe(true);
    expect(allowed(jane, 'GET', '/api/v1/namespaces/dev/pods')).toBe(true);
    expect(allowed(jane, 'GET', '/api/v1/namespaces/dev/pods', 'true')).toBe(true);
    expect(allowed(jane, 'GET', '/api/v1/namespaces/prod/pods')).toBe(false);
    expect(allowed(jane, 'GET', '/api/v1/pods')).toBe(false);
    expect(allowed(jane, 'DELETE', '/api/v1/namespaces/dev/pods/p')).toBe(false);
  });

  it('matches subresources exactly or by */sub, and resource names only for named requests', () => {
    expect(allowed(jane, 'GET', '/api/v1/namespaces/dev/pods/p/log')).toBe(true);
    expect(allowed(jane, 'POST', '/api/v1/namespaces/dev/pods/p/exec')).toBe(false);
    expect(allowed(jane, 'GET', '/api/v1/namespaces/dev/configmaps/settings')).toBe(true);
    expect(allowed(jane, 'GET', '/api/v1/namespaces/dev/configmaps/other')).toBe(false);
    expect(allowed(jane, 'GET', '/api/v1/namespaces/dev/configmaps')).toBe(false);
    expect(allowed(bot, 'PATCH', '/apis/apps/v1/namespaces/dev/deployments/web/scale')).toBe(true);
    expect(allowed(bot, 'PATCH', '/apis/apps/v1/namespaces/dev/deployments/web')).toBe(false);
    expect(allowed(bot, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/web/scale')).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    expect(allowed(anon, 'GET', '/healthz')).toBe(true);
    expect(allowed(anon, 'GET', '/readyz/etcd')).toBe(true);
    expect(allowed(anon, 'GET', '/readyz')).toBe(false);
    expect(allowed(anon, 'POST', '/healthz')).toBe(false);
    expect(allowed(anon, 'GET', '/api/v1/namespaces/dev/pods')).toBe(false);
  });

  it("words a denial as Kubernetes' 403", () => {
    expect(forbidden(jane, requestAttributes('GET', '/api/v1/namespaces/default/pods')).message).toBe('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    expect(forbidden(jane, requestAttributes('GET', '/apis/apps/v1/deployments')).message).toBe('deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" at the cluster scope');
    expect(forbidden(jane, requestAttributes('GET', '/api/v1/namespaces/dev/pods/p/log')).message).toBe('pods "p" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "dev"');
    expect(forbidden(anon, requestAttributes('GET', '/metrics')).message).toBe('forbidden: User "system:anonymous" cannot get path "/metrics"');
    expect(forbidden(jane, requestAttributes('GET', '/api/v1/namespaces/dev/pods/p')).toStatus()).toMatchObject({ code: 403, reason: 'Forbidden', details: { name: 'p', group: '', kind: 'pods' } });
  });
});
