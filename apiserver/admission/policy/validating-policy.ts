// ValidatingAdmissionPolicies, run as Kubernetes' ValidatingAdmissionPolicy plugin runs them:
// for each binding whose policy matches the request (the policy's matchConstraints, narrowed by
// the binding's matchResources), once per parameter object the binding names, the policy's
// variables, match conditions, validations and audit annotations are evaluated in CEL. A
// failed validation is acted on as the binding says: Deny refuses the request (422 Invalid, or
// the validation's reason), Warn adds a warning, Audit an audit annotation. Errors, and a
// binding that cannot be configured (no parameter, unknown kind), deny under failurePolicy
// Fail and are ignored under Ignore.
import { randomUUID } from 'node:crypto';
import type { CompiledCondition, CompiledExpression } from '../../../api/cel/admission.js';
import type { AuthorizeFn, CelAuthorizer, CheckAttributes, CheckUser } from '../../../api/cel/authorizer-library.js';
import { loadExtras, requireExtras } from '../../../api/on-demand/loader.js';
import type { LabelSelector } from '../../../api/labels.js';
import { admissionName, StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { admissionRequestOf } from '../admission-request.js';
import { viewInVersion, type ResourceAt } from '../version-view.js';
import { equivalentVersion, exempt, ruleMatches, webhookMatches, type AdmissionAttributes, type WebhookRule } from '../webhooks/matching.js';

export interface PolicySource {
  policies(): KubeObject[];
  bindings(): KubeObject[];
  namespace(name: string): KubeObject | undefined;
  /**
   * Parameter objects of a kind: the one named, or those a selector picks, in a namespace (or
   * cluster-wide); undefined when the kind is not served.
   */
  params(apiVersion: string, kind: string, namespace: string | undefined, name: string | undefined, selector: LabelSelector | undefined): { namespaced: boolean; objects: KubeObject[] } | undefined;
  /** A resource as served in a version, if it is (for requests matched through another version). */
  resourceAt?: ResourceAt;
}

export interface PolicyOutcome {
  warnings: string[];
  annotations: Record<string, string>;
}

type Obj = Record<string, any>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

interface NamedRule extends WebhookRule {
  resourceNames?: string[];
}

interface MatchResources {
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchPolicy?: 'Exact' | 'Equivalent';
}

interface CompiledPolicy {
  name: string;
  spec: Obj;
  failurePolicy: 'Fail' | 'Ignore';
  variables: Array<{ name: string; expr: CompiledExpression }>;
  conditions: CompiledCondition[];
  validations: Array<{ expr: CompiledExpression; message?: CompiledExpression; text?: string; reason?: string; source: string }>;
  audits: Array<{ key: string; expr: CompiledExpression; source: string }>;
  /** Why it could not be compiled (a stored policy from an older server, say). */
  error?: string;
}

interface Decision {
  policy: string;
  binding: string;
  message: string;
  reason?: string;
}

const CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };
const MAX_MESSAGE = 5 * 1024;

function namedRuleMatches(rule: NamedRule, a: AdmissionAttributes, equivalent: boolean): boolean {
  if (!ruleMatches(rule, a, equivalent)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/**
 * The version in which match resources cover the request, or undefined when they do not:
 * the request's own, or under matchPolicy Equivalent another version in which the resource is
 * served (`served`) that a rule names. `requireRules`: a policy's constraints must name resources.
 */
function coveredAt(m: MatchResources | undefined, a: AdmissionAttributes, namespaceLabels: (n: string) => Record<string, string> | undefined, requireRules: boolean, served: (version: string) => boolean): string | undefined {
  if (!m) return requireRules ? undefined : a.version;
  const equivalent = (m.matchPolicy ?? 'Equivalent') === 'Equivalent';
  const rules = m.resourceRules ?? [];
  // Selectors through the webhooks' matcher, with a rule that lets every request through.
  const everything: WebhookRule = { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'], scope: '*' };
  if (!webhookMatches({ name: '', clientConfig: {}, rules: [everything], matchPolicy: 'Exact', namespaceSelector: m.namespaceSelector, objectSelector: m.objectSelector }, a, namespaceLabels)) return undefined;
  let version: string | undefined = a.version;
  if ((requireRules || rules.length > 0) && !rules.some((r) => namedRuleMatches(r, a, false))) {
    version = equivalent ? equivalentVersion(rules, a, served, namedRuleMatches) : undefined;
  }
  if (version === undefined || (m.excludeResourceRules ?? []).some((r) => namedRuleMatches(r, a, equivalent))) return undefined;
  return version;
}

function compilePolicy(p: KubeObject): CompiledPolicy {
  const spec = (p.spec ?? {}) as Obj;
  const { compileAdmissionExpression } = requireExtras();
  const out: CompiledPolicy = { name: p.metadata.name!, spec, failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail', variables: [], conditions: [], validations: [], audits: [] };
  try {
    for (const v of list(spec.variables)) out.variables.push({ name: String(v.name), expr: compileAdmissionExpression(String(v.expression)) });
    out.conditions = requireExtras().compileConditions(list(spec.matchConditions));
    for (const v of list(spec.validations)) {
      const messageExpression = typeof v.messageExpression === 'string' && v.messageExpression.trim() ? compileAdmissionExpression(v.messageExpression) : undefined;
      out.validations.push({ expr: compileAdmissionExpression(String(v.expression)), ...(messageExpression ? { message: messageExpression } : {}), ...(typeof v.message === 'string' ? { text: v.message } : {}), ...(v.reason ? { reason: String(v.reason) } : {}), source: String(v.expression) });
    }
    for (const a of list(spec.auditAnnotations)) out.audits.push({ key: String(a.key), expr: compileAdmissionExpression(String(a.valueExpression)), source: String(a.valueExpression) });
  } catch (err) {
    out.error = (err as Error).message;
  }
  return out;
}

class ConfigError extends Error {}

type AuthzAnswer = ReturnType<AuthorizeFn>;
/** The apiserver's authorizer: at once, or later when a webhook decides. */
export type PolicyAuthorize = (user: CheckUser, attrs: CheckAttributes) => AuthzAnswer | Promise<AuthzAnswer>;

/** How many times a request's policies are evaluated again once the webhook answers they waited for are in. */
const AUTHORIZER_ROUNDS = 8;

/**
 * The policies' `authorizer` for one request. CEL runs synchronously and an authorization
 * webhook does not: a check whose answer is not known yet counts as "no opinion" for this
 * round and its answer is fetched; once every fetched answer is in, the policies are evaluated
 * again, from the start, with them. Evaluation has no side effects, so the last round decides,
 * with every check answered as the webhook answered it.
 */
class AnswersForRequest {
  private readonly answers = new Map<string, AuthzAnswer>();
  private readonly waiting: Array<Promise<void>> = [];

  constructor(private readonly authorize: PolicyAuthorize) {}

  readonly check: AuthorizeFn = (user, attrs) => {
    const key = JSON.stringify([user.name, user.uid ?? '', user.groups, user.extra ?? {}, attrs]);
    const known = this.answers.get(key);
    if (known) return known;
    const answer = this.authorize(user, attrs);
    if (!(answer instanceof Promise)) {
      this.answers.set(key, answer);
      return answer;
    }
    const pending: AuthzAnswer = { decision: 'no-opinion', error: 'authorization not answered yet' };
    this.answers.set(key, pending);
    this.waiting.push(
      answer.then(
        (d) => void this.answers.set(key, d),
        (err: Error) => void this.answers.set(key, { decision: 'no-opinion', error: err.message }),
      ),
    );
    return pending;
  };

  /** Waits for the answers the last round asked for; false when it asked for none. */
  async settle(): Promise<boolean> {
    if (this.waiting.length === 0) return false;
    const batch = this.waiting.splice(0);
    await Promise.all(batch);
    return true;
  }
}

export class ValidatingPolicyAdmission {
  private readonly compiled = new Map<string, { version: string; policy: CompiledPolicy }>();

  /** `authorize`: the apiserver's authorizer, for the policies' `authorizer` variable (none: every check is "no opinion"). */
  constructor(
    private readonly source: PolicySource,
    private readonly authorize: PolicyAuthorize = () => ({ decision: 'no-opinion', reason: 'no authorizer' }),
  ) {}

  private policy(p: KubeObject): CompiledPolicy {
    const key = p.metadata.uid ?? p.metadata.name!;
    const version = `${p.metadata.resourceVersion}`;
    const hit = this.compiled.get(key);
    if (hit && hit.version === version) return hit.policy;
    const policy = compilePolicy(p);
    if (this.compiled.size > 10_000) this.compiled.clear();
    this.compiled.set(key, { version, policy });
    return policy;
  }

  /** Whether any policy is bound (else validate() has nothing to do). */
  active(): boolean {
    return this.source.bindings().length > 0;
  }

  /** Runs every binding that applies; throws the first denial as a Status. */
  async validate(a: AdmissionAttributes): Promise<PolicyOutcome> {
    if (exempt(a)) return { warnings: [], annotations: {} };
    const bindings = this.source.bindings();
    if (bindings.length === 0) return { warnings: [], annotations: {} };
    const policies = new Map(this.source.policies().map((p) => [p.metadata.name!, p]));
    const namespaceLabels = (n: string) => this.source.namespace(n)?.metadata.labels as Record<string, string> | undefined;
    const served = (version: string) => !this.source.resourceAt || !!this.source.resourceAt(a.group, version, a.resource);
    // Each binding with the version its policy's constraints matched the request in.
    const applicable: Array<{ binding: KubeObject; policy: KubeObject; version: string }> = [];
    for (const binding of [...bindings].sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''))) {
      const policy = policies.get(String((binding.spec as Obj | undefined)?.policyName ?? ''));
      if (!policy) continue;
      const version = coveredAt((policy.spec as Obj | undefined)?.matchConstraints, a, namespaceLabels, true, served);
      if (version === undefined) continue;
      if (coveredAt((binding.spec as Obj | undefined)?.matchResources, a, namespaceLabels, false, served) === undefined) continue;
      applicable.push({ binding, policy, version });
    }
    if (applicable.length === 0) return { warnings: [], annotations: {} };
    await loadExtras();
    const { jsonToCel, namespaceObjectOf, CelAuthorizer } = requireExtras();
    const isNamespace = a.group === '' && a.resource === 'namespaces';
    const uid = randomUUID();
    const namespaceObject = a.namespace && !isNamespace ? namespaceObjectOf(this.source.namespace(a.namespace) as Obj | undefined) : null;
    // The policies' variables for the request in each version a policy matched it in.
    const views = new Map<string, Promise<Record<string, unknown>>>();
    const answers = new AnswersForRequest(this.authorize);
    const baseAt = (version: string) => {
      let base = views.get(version);
      if (!base) {
        base = viewInVersion(a, version, this.source.resourceAt).then(({ attrs: v }) => ({
          object: v.object ? jsonToCel(v.object) : null,
          oldObject: v.oldObject ? jsonToCel(v.oldObject) : null,
          request: jsonToCel(admissionRequestOf(v, uid)),
          namespaceObject,
          authorizer: new CelAuthorizer(a.user, answers.check, { group: a.group, version: a.version, resource: a.resource, subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name }),
        }));
        views.set(version, base);
      }
      return base;
    };
    for (let round = 1; ; round++) {
      const outcome = await this.evaluateAll(a, applicable, baseAt);
      if (round >= AUTHORIZER_ROUNDS || !(await answers.settle())) {
        if (outcome.denied) throw outcome.denied;
        return outcome.out;
      }
    }
  }

  /** One evaluation of every applicable binding: the outcome, and the first denial as a Status. */
  private async evaluateAll(
    a: AdmissionAttributes,
    applicable: Array<{ binding: KubeObject; policy: KubeObject; version: string }>,
    baseAt: (version: string) => Promise<Record<string, unknown>>,
  ): Promise<{ out: PolicyOutcome; denied?: StatusError }> {
    const { jsonToCel } = requireExtras();
    const out: PolicyOutcome = { warnings: [], annotations: {} };
    const denials: Decision[] = [];
    const failures = new Map<string, unknown[]>();
    for (const { binding, policy: stored, version } of applicable) {
      const base = await baseAt(version);
      const policy = this.policy(stored);
      const bindingName = binding.metadata.name!;
      const actions = list((binding.spec as Obj).validationActions) as unknown as string[];
      const act = (index: number, message: string, reason?: string) => {
        if (actions.includes('Deny')) denials.push({ policy: policy.name, binding: bindingName, message, ...(reason ? { reason } : {}) });
        if (actions.includes('Warn')) out.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${bindingName}': ${message}`);
        if (actions.includes('Audit')) {
          const entries = failures.get(bindingName) ?? [];
          entries.push({ message, policy: policy.name, binding: bindingName, expressionIndex: index, validationActions: actions });
          failures.set(bindingName, entries);
        }
      };
      const fail = (message: string) => {
        if (policy.failurePolicy === 'Fail') denials.push({ policy: policy.name, binding: bindingName, message });
      };
      let params: Array<unknown>;
      try {
        if (policy.error) throw new ConfigError(`failed to configure policy: ${policy.error}`);
        params = this.params(policy, binding, a);
      } catch (err) {
        if (err instanceof ConfigError) fail(err.message);
        else throw err;
        continue;
      }
      for (const param of params) this.evaluate(policy, { ...base, params: param === null ? null : jsonToCel(param) }, out, act, fail);
    }
    for (const entries of failures.values()) {
      const key = 'validation.policy.admission.k8s.io/validation_failure';
      const before = out.annotations[key] ? (JSON.parse(out.annotations[key]!) as unknown[]) : [];
      out.annotations[key] = JSON.stringify([...before, ...entries]);
    }
    const denied = denials[0];
    if (denied) {
      const reason = denied.reason ?? 'Invalid';
      const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
      const message = `ValidatingAdmissionPolicy '${denied.policy}' with binding '${denied.binding}' denied request: ${denied.message}`;
      const name = a.name || admissionName(a.object?.metadata);
      return { out, denied: new StatusError(CODES[reason] ?? 422, reason, `${resource} "${name}" is forbidden: ${message}`, {
        name,
        group: a.group || undefined,
        kind: a.resource,
        causes: [{ message }],
      }) };
    }
    return { out };
  }

  /** The parameter objects a binding names (null for a policy without paramKind). */
  private params(policy: CompiledPolicy, binding: KubeObject, a: AdmissionAttributes): unknown[] {
    const kind = policy.spec.paramKind as Obj | undefined;
    if (!kind) return [null];
    const ref = (binding.spec as Obj).paramRef as Obj | undefined;
    if (!ref) throw new ConfigError('failed to configure binding: paramRef is required when the policy has a paramKind');
    const found = this.source.params(String(kind.apiVersion), String(kind.kind), undefined, undefined, undefined);
    if (!found) throw new ConfigError(`failed to configure binding: failed to find resource referenced by paramKind: '${kind.apiVersion}, Kind=${kind.kind}'`);
    let namespace: string | undefined;
    if (found.namespaced) {
      namespace = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : a.namespace;
      if (!namespace) throw new ConfigError('failed to configure binding: cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
    }
    const objects = this.source.params(String(kind.apiVersion), String(kind.kind), namespace, ref.name ? String(ref.name) : undefined, ref.name ? undefined : (ref.selector as LabelSelector | undefined))?.objects ?? [];
    if (objects.length === 0) {
      if (ref.parameterNotFoundAction === 'Allow') return [];
      throw new ConfigError('failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
    }
    return objects;
  }

  private evaluate(policy: CompiledPolicy, base: Record<string, unknown>, out: PolicyOutcome, act: (index: number, message: string, reason?: string) => void, fail: (message: string) => void): void {
    const variables: Record<string, unknown> = {};
    // Each evaluation has its own budget of authorizer checks, as Kubernetes meters its cost.
    const vars = { ...base, ...(base.authorizer ? { authorizer: (base.authorizer as CelAuthorizer).withFreshBudget() } : {}), variables };
    for (const v of policy.variables) {
      try {
        Object.defineProperty(variables, v.name, { value: v.expr.evaluate(vars), enumerable: true, writable: true, configurable: true });
      } catch {
        // A variable that fails is missing: expressions that use it fail with it.
      }
    }
    const judged = requireExtras().judgeConditions(policy.conditions, vars);
    if (!judged.matches) return;
    if (judged.errors.length) {
      fail(judged.errors.join(', '));
      return;
    }
    policy.validations.forEach((v, index) => {
      let result: unknown;
      try {
        result = v.expr.evaluate(vars);
      } catch (err) {
        fail(`expression '${v.source}' resulted in error: ${(err as Error).message}`);
        return;
      }
      if (result === true) return;
      act(index, this.message(v, vars), v.reason);
    });
    for (const audit of policy.audits) {
      try {
        const value = audit.expr.evaluate(vars);
        if (value === null || value === undefined) continue;
        if (typeof value !== 'string') throw new Error(`valueExpression '${audit.source}' resulted in unsupported return type: ${typeof value}. Return type must be either string or null.`);
        out.annotations[`${policy.name}/${audit.key}`] = value.slice(0, 10 * 1024);
      } catch (err) {
        fail((err as Error).message);
      }
    }
  }

  /** The messageExpression's result, else the message, else the expression, as Kubernetes picks. */
  private message(v: CompiledPolicy['validations'][number], vars: Record<string, unknown>): string {
    if (v.message) {
      try {
        const m = v.message.evaluate(vars);
        if (typeof m === 'string') {
          const trimmed = m.trim();
          if (trimmed && trimmed.length <= MAX_MESSAGE && !trimmed.includes('\n')) return trimmed;
        }
      } catch {
        // Falls back, as in Kubernetes.
      }
    }
    if (v.text?.trim()) return v.text.trim();
    return `failed expression: ${v.source.trim()}`;
  }
}

