// Kubernetes' CEL authorizer library, for ValidatingAdmissionPolicies: `authorizer` checks
// what the requesting user may do (authorizer.group('apps').resource('deployments')
// .namespace('x').check('update').allowed(), authorizer.path('/healthz').check('get')),
// `authorizer.serviceAccount(ns, name)` what a service account may, and
// `authorizer.requestResource` is the request's own resource, ready for a custom verb. The
// decision comes from the apiserver's authorizer (RBAC, Node, ...), through `authorize`.
import type { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from './errors.js';

/** Who a check is for. */
export interface CheckUser {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What a check asks: a resource (with API version "*", as Kubernetes asks) or a URL path. */
export type CheckAttributes =
  | { resourceRequest: true; verb: string; apiGroup: string; apiVersion: string; resource: string; subresource: string; namespace: string; name: string; fieldSelector?: string; labelSelector?: string }
  | { resourceRequest: false; verb: string; path: string };

export type AuthorizeFn = (user: CheckUser, attrs: CheckAttributes) => { decision: 'allow' | 'deny' | 'no-opinion'; reason?: string; error?: string };

/** The request's own resource, for authorizer.requestResource. */
export interface RequestResource {
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export class CelDecision {
  constructor(
    readonly decision: string,
    readonly why: string,
    readonly failure: string,
  ) {}
}

/**
 * How many checks one policy evaluation may make: Kubernetes prices a check at 350,000 of the
 * 10,000,000 a policy's expressions may spend together per evaluation (28 checks), so a policy
 * cannot make the apiserver authorize thousands of times per request.
 */
export const CHECKS_PER_EVALUATION = 28;

export class CelAuthorizer {
  readonly requestResource: CelResourceCheck;

  constructor(
    readonly user: CheckUser,
    readonly authorize: AuthorizeFn,
    readonly request: RequestResource,
    private readonly budget: { left: number } = { left: CHECKS_PER_EVALUATION },
  ) {
    this.requestResource = new CelResourceCheck(this, request.group, request.resource, request.subresource, request.namespace, request.name, request.version);
  }

  /** The same authorizer with a fresh budget of checks (one per policy evaluation). */
  withFreshBudget(): CelAuthorizer {
    return new CelAuthorizer(this.user, this.authorize, this.request);
  }

  /** Another identity, spending from the same budget. */
  as(user: CheckUser): CelAuthorizer {
    return new CelAuthorizer(user, this.authorize, this.request, this.budget);
  }

  decide(attrs: CheckAttributes): CelDecision {
    if (this.budget.left-- <= 0) throw new CelRuntimeError('operation cancelled: actual cost limit exceeded');
    try {
      const d = this.authorize(this.user, attrs);
      return new CelDecision(d.decision, d.reason ?? '', d.error ?? '');
    } catch (err) {
      return new CelDecision('no-opinion', '', (err as Error).message);
    }
  }
}

export class CelPathCheck {
  constructor(
    readonly authz: CelAuthorizer,
    readonly path: string,
  ) {}
}

export class CelGroupCheck {
  constructor(
    readonly authz: CelAuthorizer,
    readonly group: string,
  ) {}
}

export class CelResourceCheck {
  constructor(
    readonly authz: CelAuthorizer,
    readonly group: string,
    readonly resource: string,
    readonly subresource = '',
    readonly namespace = '',
    readonly name = '',
    readonly version = '*',
    readonly fieldSelector?: string,
    readonly labelSelector?: string,
  ) {}

  with(change: Partial<Pick<CelResourceCheck, 'subresource' | 'namespace' | 'name' | 'fieldSelector' | 'labelSelector'>>): CelResourceCheck {
    const n = { ...this, ...change };
    return new CelResourceCheck(this.authz, n.group, n.resource, n.subresource, n.namespace, n.name, n.version, n.fieldSelector, n.labelSelector);
  }
}

/** A service account's identity as Kubernetes builds it for a check (no authenticated group). */
export const serviceAccountUser = (namespace: string, name: string): CheckUser => ({
  name: `system:serviceaccount:${namespace}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
});

const A = 'kubernetes.authorization.Authorizer';
const P = 'kubernetes.authorization.PathCheck';
const G = 'kubernetes.authorization.GroupCheck';
const R = 'kubernetes.authorization.ResourceCheck';
const D = 'kubernetes.authorization.Decision';

/** The authorizer variable's type, for declaring it. */
export const AUTHORIZER_TYPE = A;

export function registerAuthorizerLibrary(env: Environment): void {
  env.registerType(P, CelPathCheck);
  env.registerType(G, CelGroupCheck);
  env.registerType(R, CelResourceCheck);
  env.registerType(D, CelDecision);
  env.registerType(A, { ctor: CelAuthorizer, fields: { requestResource: R } });
  env.registerFunction(`${A}.path(string): ${P}`, (a: CelAuthorizer, path: string) => new CelPathCheck(a, path));
  env.registerFunction(`${A}.group(string): ${G}`, (a: CelAuthorizer, group: string) => new CelGroupCheck(a, group));
  env.registerFunction(`${A}.serviceAccount(string, string): ${A}`, (a: CelAuthorizer, namespace: string, name: string) => a.as(serviceAccountUser(namespace, name)));
  env.registerFunction(`${G}.resource(string): ${R}`, (g: CelGroupCheck, resource: string) => new CelResourceCheck(g.authz, g.group, resource));
  env.registerFunction(`${R}.subresource(string): ${R}`, (r: CelResourceCheck, subresource: string) => r.with({ subresource }));
  env.registerFunction(`${R}.namespace(string): ${R}`, (r: CelResourceCheck, namespace: string) => r.with({ namespace }));
  env.registerFunction(`${R}.name(string): ${R}`, (r: CelResourceCheck, name: string) => r.with({ name }));
  env.registerFunction(`${R}.fieldSelector(string): ${R}`, (r: CelResourceCheck, fieldSelector: string) => r.with({ fieldSelector }));
  env.registerFunction(`${R}.labelSelector(string): ${R}`, (r: CelResourceCheck, labelSelector: string) => r.with({ labelSelector }));
  env.registerFunction(`${R}.check(string): ${D}`, (r: CelResourceCheck, verb: string) =>
    r.authz.decide({
      resourceRequest: true,
      verb,
      apiGroup: r.group,
      apiVersion: r.version,
      resource: r.resource,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
      ...(r.fieldSelector !== undefined ? { fieldSelector: r.fieldSelector } : {}),
      ...(r.labelSelector !== undefined ? { labelSelector: r.labelSelector } : {}),
    }),
  );
  env.registerFunction(`${P}.check(string): ${D}`, (p: CelPathCheck, verb: string) => p.authz.decide({ resourceRequest: false, verb, path: p.path }));
  env.registerFunction(`${D}.allowed(): bool`, (d: CelDecision) => d.decision === 'allow');
  env.registerFunction(`${D}.reason(): string`, (d: CelDecision) => d.why);
  env.registerFunction(`${D}.errored(): bool`, (d: CelDecision) => d.failure !== '');
  env.registerFunction(`${D}.error(): string`, (d: CelDecision) => d.failure);
}
