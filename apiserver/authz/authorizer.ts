// Authorization: each mode (AlwaysAllow, RBAC, Node) answers allow, deny or no opinion for a
// user and request attributes; --authorization-mode chains them, the first definite answer
// wins, and no opinion from every mode is a denial. Denials become Kubernetes' 403 text.
import { StatusError } from '../../api/status.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { RequestAttributes } from './request-info.js';

export type Decision = { decision: 'allow' | 'deny' | 'no-opinion'; reason?: string };

export interface Authorizer {
  authorize(user: UserInfo, attrs: RequestAttributes): Decision;
}

export const alwaysAllow: Authorizer = { authorize: () => ({ decision: 'allow' }) };

/** Members of these groups (system:masters) may do anything, whatever the other modes say. */
export function privilegedGroups(groups: string[]): Authorizer {
  return { authorize: (user) => (user.groups.some((g) => groups.includes(g)) ? { decision: 'allow' } : { decision: 'no-opinion' }) };
}

/** The modes in order; the first allow or deny decides. */
export function chain(authorizers: Authorizer[]): Authorizer {
  return {
    authorize(user, attrs) {
      const reasons: string[] = [];
      for (const a of authorizers) {
        const d = a.authorize(user, attrs);
        if (d.decision !== 'no-opinion') return d;
        if (d.reason) reasons.push(d.reason);
      }
      return { decision: 'no-opinion', reason: reasons.join(', ') || undefined };
    },
  };
}

/** What Kubernetes says a user may not do (the text of a 403). */
export function forbiddenMessage(user: UserInfo, attrs: RequestAttributes): string {
  if (!attrs.resourceRequest) return `User "${user.name}" cannot ${attrs.verb} path "${attrs.path}"`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return `User "${user.name}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
}

/** The 403 Status for a denied request, worded and detailed as Kubernetes words it. */
export function forbidden(user: UserInfo, attrs: RequestAttributes, reason?: string): StatusError {
  const why = forbiddenMessage(user, attrs) + (reason ? `: ${reason}` : '');
  if (!attrs.resourceRequest) return new StatusError(403, 'Forbidden', `forbidden: ${why}`, {});
  const qualified = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  const message = attrs.name ? `${qualified} "${attrs.name}" is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  return new StatusError(403, 'Forbidden', message, { ...(attrs.name ? { name: attrs.name } : {}), group: attrs.apiGroup, kind: attrs.resource });
}
