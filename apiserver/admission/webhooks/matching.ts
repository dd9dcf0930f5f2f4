// Which admission webhooks a request goes to, as Kubernetes decides it: a rule matches the
// operation, group, version, resource (with `pods/status`, `pods/*`, `*/scale` and `*/*`
// forms) and scope; the namespace selector is matched against the namespace's labels (a
// Namespace's own labels for Namespaces; cluster-scoped objects always match) and the object
// selector against the new or the old object's labels.
import { fromLabelSelector, matches, type LabelSelector } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/types/meta.js';
import type { UserInfo } from '../../../component-base/authn/user.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What an admission decision is about. */
export interface AdmissionAttributes {
  operation: Operation;
  group: string;
  version: string;
  /** The resource's plural name. */
  resource: string;
  kind: string;
  namespaced: boolean;
  subresource?: string;
  name: string;
  namespace?: string;
  /** The object being written (none for a DELETE). */
  object?: KubeObject;
  /** The object as stored before (UPDATE and DELETE). */
  oldObject?: KubeObject;
  user: UserInfo;
  /** The objects' kind when it is not the resource's own (autoscaling/v1 Scale for <resource>/scale). */
  objectKind?: { group: string; version: string; kind: string };
  dryRun: boolean;
  /** The request's CreateOptions, UpdateOptions or DeleteOptions. */
  options?: Record<string, unknown>;
  /** The version and kind the request was made in, when a webhook sees it in another (matchPolicy Equivalent). */
  requested?: { version: string; kind: string };
}

export interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

export interface Webhook {
  name: string;
  clientConfig: { url?: string; service?: { namespace: string; name: string; path?: string; port?: number }; caBundle?: string };
  rules?: WebhookRule[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: string;
  matchConditions?: Array<{ name: string; expression: string }>;
}

const has = (list: string[] | undefined, value: string) => !!list && (list.includes('*') || list.includes(value));

function resourceMatches(entries: string[] | undefined, resource: string, subresource: string | undefined): boolean {
  for (const entry of entries ?? []) {
    if (entry === '*/*') return true;
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? '' : entry.slice(slash + 1);
    if (res !== '*' && res !== resource) continue;
    // "pods" is the resource alone, "pods/*" its subresources only ("*/*" is everything).
    if (sub === '' ? !subresource : !!subresource && (sub === '*' || sub === subresource)) return true;
  }
  return false;
}

/**
 * Whether a rule covers the request. With matchPolicy Equivalent a rule naming another
 * version of the same resource covers it too (this server keeps one form of each resource
 * and converts, so the versions are equivalent).
 */
export function ruleMatches(rule: WebhookRule, a: AdmissionAttributes, equivalent: boolean): boolean {
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, a.group)) return false;
  if (!equivalent && !has(rule.apiVersions, a.version)) return false;
  if (equivalent && !(rule.apiVersions ?? []).length) return false;
  if (!resourceMatches(rule.resources, a.resource, a.subresource)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && a.namespaced) return false;
  if (scope === 'Namespaced' && !a.namespaced) return false;
  return true;
}

function selects(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || (!selector.matchLabels && !selector.matchExpressions)) return true;
  return matches(fromLabelSelector(selector), labels ?? {});
}

/** The configurations that are never sent to webhooks, so that a broken webhook can always be removed. */
export function exempt(a: AdmissionAttributes): boolean {
  return a.group === 'admissionregistration.k8s.io';
}

/**
 * The first version other than the request's, in rule order, in which the resource is served
 * and that a rule (by `matches`) covers: what matchPolicy Equivalent converts the request to.
 */
export function equivalentVersion<R extends WebhookRule>(rules: R[], a: AdmissionAttributes, served: (version: string) => boolean, matches: (rule: R, a: AdmissionAttributes, equivalent: boolean) => boolean): string | undefined {
  for (const r of rules) {
    for (const v of r.apiVersions ?? []) if (v !== '*' && v !== a.version && served(v) && matches(r, { ...a, version: v }, false)) return v;
  }
  return undefined;
}

/**
 * The version of the request's resource a webhook's rules name for it, or undefined when the
 * webhook is not called. A rule naming the request's own version wins; under matchPolicy
 * Equivalent (the default) a rule naming another version in which the resource is served
 * (`served`) matches too, and the webhook is to see the request in that version, as
 * Kubernetes converts it.
 */
export function matchedVersion(hook: Webhook, a: AdmissionAttributes, namespaceLabels: (name: string) => Record<string, string> | undefined, served: (version: string) => boolean = () => true): string | undefined {
  if (exempt(a)) return undefined;
  const rules = hook.rules ?? [];
  let version: string | undefined;
  if (rules.some((r) => ruleMatches(r, a, false))) version = a.version;
  else if ((hook.matchPolicy ?? 'Equivalent') === 'Equivalent') {
    version = equivalentVersion(rules, a, served, ruleMatches);
  }
  if (version === undefined || !selectorsMatch(hook, a, namespaceLabels)) return undefined;
  return version;
}

/** Whether a webhook is called for the request; `namespaceLabels` reads a namespace's labels. */
export function webhookMatches(hook: Webhook, a: AdmissionAttributes, namespaceLabels: (name: string) => Record<string, string> | undefined): boolean {
  return matchedVersion(hook, a, namespaceLabels) !== undefined;
}

function selectorsMatch(hook: Webhook, a: AdmissionAttributes, namespaceLabels: (name: string) => Record<string, string> | undefined): boolean {
  const isNamespace = a.group === '' && a.resource === 'namespaces';
  if (isNamespace) {
    const own = (a.object ?? a.oldObject)?.metadata?.labels as Record<string, string> | undefined;
    if (!selects(hook.namespaceSelector, own)) return false;
  } else if (a.namespaced && a.namespace) {
    if (!selects(hook.namespaceSelector, namespaceLabels(a.namespace))) return false;
  }
  const objectLabels = a.object?.metadata?.labels as Record<string, string> | undefined;
  const oldLabels = a.oldObject?.metadata?.labels as Record<string, string> | undefined;
  if (!selects(hook.objectSelector, objectLabels) && !(a.oldObject && selects(hook.objectSelector, oldLabels))) return false;
  return true;
}
