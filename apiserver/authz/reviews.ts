// The answers to review objects, computed from the request's user and the cluster's
// authenticators and authorizers, never stored: SelfSubjectReview (whoami), TokenReview,
// SubjectAccessReview and its local and self forms (can-i), SelfSubjectRulesReview (can-i --list).
import { badRequest } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { isAudienceAware, type AudienceReview, type TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import { withAuthenticatedGroup, type UserInfo } from '../../component-base/authn/user.js';
import type { Authorizer } from './authorizer.js';
import type { PolicyRule } from './rbac.js';
import type { RequestAttributes } from './request-info.js';

export interface ReviewDeps {
  authorizer: Authorizer;
  /** The rules a user has in a namespace, for rules reviews; undefined when the mode cannot list them. */
  rulesFor?(user: UserInfo, namespace: string): PolicyRule[] | undefined;
  /** Why the rules listed are not all a user may do (a webhook decides too), if they are not. */
  rulesIncomplete?(): string | undefined;
  tokens: TokenAuthenticator[];
  /** The apiserver's own audiences (--api-audiences): a TokenReview's when it names none. */
  apiAudiences: string[];
}

interface AccessSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

const userInfoOut = (u: UserInfo) => ({ username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) });

function attributesOf(spec: AccessSpec): RequestAttributes {
  if (spec.nonResourceAttributes) return { resourceRequest: false, verb: spec.nonResourceAttributes.verb ?? '', path: spec.nonResourceAttributes.path ?? '' };
  const r = spec.resourceAttributes ?? {};
  return { resourceRequest: true, verb: r.verb ?? '', apiGroup: r.group ?? '', apiVersion: r.version ?? '', namespace: r.namespace ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '' };
}

async function accessStatus(deps: ReviewDeps, user: UserInfo, spec: AccessSpec) {
  const d = await deps.authorizer.authorize(user, attributesOf(spec));
  return { allowed: d.decision === 'allow', ...(d.decision === 'deny' ? { denied: true } : {}), ...(d.reason ? { reason: d.reason } : {}) };
}

/**
 * One authenticator's verdict on a token for `wanted` audiences. One that cannot tell a token's
 * audiences (token file, bootstrap tokens, OIDC, webhook) only vouches for the apiserver's own,
 * as Kubernetes wraps its audience-agnostic authenticators.
 */
async function reviewToken(t: TokenAuthenticator, token: string, wanted: string[], apiAudiences: string[]): Promise<AudienceReview> {
  if (isAudienceAware(t)) return t.reviewToken(token, wanted);
  const audiences = apiAudiences.filter((a) => wanted.includes(a));
  if (audiences.length === 0) return {};
  const user = await t.authenticateToken(token);
  return user ? { user, audiences } : {};
}

function answer(body: KubeObject, status: Record<string, unknown>): KubeObject {
  return { ...body, metadata: { ...body.metadata }, status };
}

/** The review's answer; `namespace` is the URL's (LocalSubjectAccessReview). */
export async function review(kind: string, body: KubeObject, requester: UserInfo, namespace: string | undefined, deps: ReviewDeps): Promise<KubeObject> {
  const spec = (body.spec ?? {}) as AccessSpec & { token?: string; namespace?: string; audiences?: unknown[] };
  switch (kind) {
    case 'SelfSubjectReview':
      return answer(body, { userInfo: userInfoOut(requester) });
    case 'TokenReview': {
      const token = (body.spec as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token === '') throw badRequest('token is required for TokenReview in authentication');
      const wanted = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(String) : deps.apiAudiences;
      const errors: string[] = [];
      for (const t of deps.tokens) {
        const r = await reviewToken(t, token, wanted, deps.apiAudiences);
        if ('user' in r) return answer(body, { authenticated: true, user: userInfoOut(withAuthenticatedGroup(r.user)), audiences: r.audiences });
        if (r.error) errors.push(r.error);
      }
      // Kubernetes' union of authenticators: their errors, or the bearer-token default when none failed loudly.
      const error = errors.length === 0 ? 'invalid bearer token' : errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
      return answer(body, { user: {}, error });
    }
    case 'SelfSubjectAccessReview':
      return answer(body, await accessStatus(deps, requester, spec));
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      if (kind === 'LocalSubjectAccessReview' && (spec.resourceAttributes?.namespace ?? '') !== namespace) {
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      }
      const subject: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [], ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
      return answer(body, await accessStatus(deps, subject, spec));
    }
    case 'SelfSubjectRulesReview': {
      const rules = deps.rulesFor?.(requester, spec.namespace ?? '');
      if (!rules) return answer(body, { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'the authorizer cannot list rules' });
      const incomplete = deps.rulesIncomplete?.();
      return answer(body, {
        resourceRules: rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) })),
        nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
        ...(incomplete ? { incomplete: true, evaluationError: incomplete } : { incomplete: false }),
      });
    }
    default:
      throw badRequest(`${kind} is not a review this server answers`);
  }
}
