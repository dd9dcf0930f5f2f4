// Authorization: each mode (AlwaysAllow, AlwaysDeny, RBAC, Node, Webhook) answers allow, deny or
// no opinion for a user and request attributes; --authorization-mode (or --authorization-config)
// chains them, the first definite answer wins, and no opinion from every mode is a denial.
// Denials become Kubernetes' 403 text. The in-process modes answer at once; a webhook answers
// later, so a chain is asynchronous only from the first mode that is.
import { StatusError } from '../../api/status.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { RequestAttributes } from './request-info.js';

export type Decision = { decision: 'allow' | 'deny' | 'no-opinion'; reason?: string };

export interface Authorizer {
  authorize(user: UserInfo, attrs: RequestAttributes): Decision | Promise<Decision>;
}

export const alwaysAllow: Authorizer = { authorize: () => ({ decision: 'allow' }) };
export const alwaysDeny: Authorizer = { authorize: () => ({ decision: 'deny' }) };

/** Members of these groups (system:masters) may do anything, whatever the other modes say. */
export function privilegedGroups(groups: string[]): Authorizer {
  return { authorize: (user) => (user.groups.some((g) => groups.includes(g)) ? { decision: 'allow' } : { decision: 'no-opinion' }) };
}

/** The modes in order; the first allow or deny decides. */
export function chain(authorizers: Authorizer[]): Authorizer {
  const from = (i: number, user: UserInfo, attrs: RequestAttributes, reasons: string[]): Decision | Promise<Decision> => {
    for (; i < authorizers.length; i++) {
      const d = authorizers[i]!.authorize(user, attrs);
      if (d instanceof Promise) {
        const next = i + 1;
        return d.then((settled) => (settled.decision !== 'no-opinion' ? settled : from(next, user, attrs, settled.reason ? [...reasons, settled.reason] : reasons)));
      }
      if (d.decision !== 'no-opinion') return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { decision: 'no-opinion', reason: reasons.join(', ') || undefined };
  };
  return { authorize: (user, attrs) => from(0, user, attrs, []) };
}

/** An authorizer whose chain can be replaced while serving (--authorization-config reloads). */
export class ReplaceableAuthorizer implements Authorizer {
  constructor(private current: Authorizer) {}

  replace(next: Authorizer): void {
    this.current = next;
  }

  authorize(user: UserInfo, attrs: RequestAttributes): Decision | Promise<Decision> {
    return this.current.authorize(user, attrs);
  }
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
