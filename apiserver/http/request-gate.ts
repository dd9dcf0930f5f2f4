// The gate every request passes before a handler sees it, in Kubernetes' order: authenticate
// (on the secure port; the plain local port is the local admin), impersonate (Impersonate-User,
// -Group, -Uid, -Extra-*, each checked against the `impersonate` verb), authorize. Failures are
// Statuses: 401 Unauthorized, 403 with Kubernetes' wording.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { badRequest, StatusError } from '../../api/status.js';
import type { RequestAuthenticator } from '../../component-base/authn/authenticator.js';
import { clientTLS } from '../../component-base/authn/client-tls.js';
import { ANONYMOUS, LOCAL_ADMIN, withAuthenticatedGroup, type UserInfo } from '../../component-base/authn/user.js';
import { forbidden, type Authorizer } from '../authz/authorizer.js';
import { requestAttributes, type RequestAttributes, type ResourceAttributes } from '../authz/request-info.js';
import { decodedPath } from './path.js';

/** Who a request came from: the user it acts as, and the authenticated user who impersonates it. */
export interface RequestIdentity {
  user: UserInfo;
  impersonator?: UserInfo;
  /** What the request asks to do (once its user is known), for API Priority and Fairness. */
  attributes?: RequestAttributes;
  /** The authorizer's verdict, for audit annotations. */
  decision?: 'allow' | 'forbid';
  reason?: string;
}

const identities = new WeakMap<IncomingMessage, RequestIdentity>();

/** The user a request was admitted as (the local admin for requests that never passed the gate). */
export function requestUser(req: IncomingMessage): UserInfo {
  return identities.get(req)?.user ?? LOCAL_ADMIN;
}

/** What the gate learned of a request, even when it refused it (undefined: not authenticated). */
export function requestIdentity(req: IncomingMessage): RequestIdentity | undefined {
  return identities.get(req);
}

export const UNAUTHORIZED = () => new StatusError(401, 'Unauthorized', 'Unauthorized');

function watchParam(rawUrl: string): string | undefined {
  const q = rawUrl.indexOf('?');
  if (q < 0) return undefined;
  const v = new URLSearchParams(rawUrl.slice(q + 1)).getAll('watch');
  return v.length ? v[0] : undefined;
}

/**
 * Every value a header was sent with, one per occurrence: Node joins repeated unknown headers
 * with ", ", but `--as-group=a --as-group=b,c` is two groups, "a" and "b,c", as in Kubernetes.
 */
function header(req: IncomingMessage, name: string): string[] {
  const distinct = (req.headersDistinct as Record<string, string[] | undefined> | undefined)?.[name];
  if (distinct) return distinct;
  const v = req.headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Pod subresources whose WebSocket (a GET) also needs `create`, as for their POST; a proxied Upgrade needs only its own verb. */
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

export class RequestGate {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly authorizer: Authorizer,
    /** Admission checks on the caller and what it asks, before any handler (NodeRestriction). */
    private readonly restrict?: (user: UserInfo, attrs: RequestAttributes) => void,
  ) {}

  private async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const socket = req.socket as Partial<TLSSocket>;
    if (!socket.encrypted) return LOCAL_ADMIN;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const r = await this.authenticator.authenticate(clientTLS(socket as TLSSocket), req.headers, q < 0 ? url : url.slice(0, q));
    if (!r.ok) throw UNAUTHORIZED();
    return r.user;
  }

  private async check(user: UserInfo, attrs: ResourceAttributes): Promise<void> {
    const d = await this.authorizer.authorize(user, attrs);
    if (d.decision !== 'allow') throw forbidden(user, attrs, d.reason);
  }

  /** The impersonated user, after checking the requester may impersonate each part of it. */
  private async impersonate(req: IncomingMessage, user: UserInfo): Promise<UserInfo> {
    // Nearly every request impersonates no one: it need not pay for Node's per-occurrence headers.
    const headerNames = Object.keys(req.headers);
    if (!headerNames.some((h) => h.startsWith('impersonate-'))) return user;
    const names = header(req, 'impersonate-user');
    const groups = header(req, 'impersonate-group');
    const uids = header(req, 'impersonate-uid');
    const extraHeaders = headerNames.filter((h) => h.startsWith('impersonate-extra-'));
    if (!names.length && !groups.length && !uids.length && !extraHeaders.length) return user;
    if (names.length !== 1 || !names[0]) throw badRequest('requested impersonation of groups, a uid or extra fields without impersonating a user');
    const name = names[0];
    const attrs = (resource: string, target: string, apiGroup = '', namespace = ''): ResourceAttributes => ({
      resourceRequest: true,
      verb: 'impersonate',
      apiGroup,
      apiVersion: '',
      namespace,
      resource,
      subresource: '',
      name: target,
    });
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
    await this.check(user, sa ? attrs('serviceaccounts', sa[2]!, '', sa[1]!) : attrs('users', name));
    for (const g of groups) await this.check(user, attrs('groups', g));
    for (const u of uids) await this.check(user, attrs('uids', u, 'authentication.k8s.io'));
    const extra: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const h of extraHeaders) {
      let key: string;
      try {
        key = decodeURIComponent(h.slice('impersonate-extra-'.length));
      } catch {
        throw badRequest(`invalid Impersonate-Extra header ${h.slice(0, 100)}: malformed escape`);
      }
      for (const v of header(req, h)) {
        await this.check(user, attrs(`userextras/${key}`, v, 'authentication.k8s.io'));
        (extra[key] ??= []).push(v);
      }
    }
    const implied = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
    const as: UserInfo = { name, groups: [...groups, ...implied.filter((g) => !groups.includes(g))], ...(uids[0] ? { uid: uids[0] } : {}), ...(extraHeaders.length ? { extra } : {}) };
    return name === ANONYMOUS.name ? as : withAuthenticatedGroup(as);
  }

  /**
   * A WebSocket upgrade (kubectl exec) arrives as a GET: beyond `get`, it must be allowed to
   * `create` the subresource too, as Kubernetes 1.32 checks it.
   */
  async admitUpgrade(req: IncomingMessage): Promise<UserInfo> {
    const user = await this.admit(req);
    const attrs = requestAttributes(req.method ?? 'GET', decodedPath(req.url ?? '/'));
    if (attrs.resourceRequest && attrs.verb === 'get' && STREAMING_SUBRESOURCES.has(attrs.subresource)) await this.check(user, { ...attrs, verb: 'create' });
    return user;
  }

  /** Authenticates, impersonates and authorizes a request; throws the Status to answer with. */
  async admit(req: IncomingMessage): Promise<UserInfo> {
    const raw = req.url ?? '/';
    const authenticated = await this.authenticate(req);
    identities.set(req, { user: authenticated });
    const user = await this.impersonate(req, authenticated);
    const identity: RequestIdentity = { user, ...(user !== authenticated ? { impersonator: authenticated } : {}) };
    identities.set(req, identity);
    const attrs = requestAttributes(req.method ?? 'GET', decodedPath(raw), watchParam(raw));
    identity.attributes = attrs;
    const d = await this.authorizer.authorize(user, attrs);
    identity.decision = d.decision === 'allow' ? 'allow' : 'forbid';
    if (d.reason) identity.reason = d.reason;
    if (d.decision !== 'allow') throw forbidden(user, attrs, d.reason);
    this.restrict?.(user, attrs);
    return user;
  }
}
