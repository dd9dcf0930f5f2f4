// API Priority and Fairness' classification, as Kubernetes' apiserver does it: every request
// belongs to the first FlowSchema (lowest matchingPrecedence, then name) one of whose rules
// matches both its user and what it asks to do, and through that schema to a priority level.
// A schema whose priority level does not exist (dangling) is passed over. The answer names both
// in the response headers clients and tests read; the dispatcher (dispatcher.ts) then holds the
// request to its level's seats.
import type { KubeObject, Unstructured } from '../../api/types/meta.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { RequestAttributes } from '../authz/request-info.js';

export const FLOW_SCHEMA_UID_HEADER = 'X-Kubernetes-PF-FlowSchema-UID';
export const PRIORITY_LEVEL_UID_HEADER = 'X-Kubernetes-PF-PriorityLevel-UID';

export interface Classification {
  flowSchema: KubeObject;
  priorityLevel: KubeObject;
}

const list = (v: unknown): Unstructured[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The schemas in the order requests are matched against them. */
export function matchingOrder(schemas: KubeObject[]): KubeObject[] {
  const precedence = (s: KubeObject) => (typeof s.spec?.matchingPrecedence === 'number' ? s.spec.matchingPrecedence : 1000);
  return [...schemas].sort((a, b) => precedence(a) - precedence(b) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}

/** The schema and priority level of a request; undefined only when no schema matches (no catch-all). */
export function classify(ordered: KubeObject[], levels: ReadonlyMap<string, KubeObject>, user: UserInfo, attrs: RequestAttributes): Classification | undefined {
  for (const schema of ordered) {
    const level = levels.get(String(schema.spec?.priorityLevelConfiguration?.name ?? ''));
    if (!level) continue;
    if (list(schema.spec?.rules).some((rule) => subjectsMatch(rule, user) && requestMatches(rule, attrs))) return { flowSchema: schema, priorityLevel: level };
  }
  return undefined;
}

function subjectsMatch(rule: Unstructured, user: UserInfo): boolean {
  return list(rule?.subjects).some((s) => {
    switch (s?.kind) {
      case 'User':
        return s.user?.name === '*' || s.user?.name === user.name;
      case 'Group':
        return s.group?.name === '*' || user.groups.includes(String(s.group?.name));
      case 'ServiceAccount': {
        if (!user.name.startsWith(SERVICE_ACCOUNT_PREFIX)) return false;
        const [namespace, name] = user.name.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
        return s.serviceAccount?.namespace === namespace && (s.serviceAccount?.name === '*' || s.serviceAccount?.name === name);
      }
      default:
        return false;
    }
  });
}

const member = (values: string[], v: string) => values.includes('*') || values.includes(v);

function requestMatches(rule: Unstructured, attrs: RequestAttributes): boolean {
  if (!attrs.resourceRequest) {
    return list(rule?.nonResourceRules).some((r) => member(strings(r?.verbs), attrs.verb) && urlMatches(strings(r?.nonResourceURLs), attrs.path));
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return list(rule?.resourceRules).some((r) => {
    if (!member(strings(r?.verbs), attrs.verb) || !member(strings(r?.apiGroups), attrs.apiGroup) || !member(strings(r?.resources), resource)) return false;
    // A request naming no namespace (cluster-scoped, or across all namespaces) needs clusterScope.
    return attrs.namespace ? member(strings(r?.namespaces), attrs.namespace) : r?.clusterScope === true;
  });
}

/** `*` matches every path; a pattern ending in `*` matches the paths it begins (`/healthz/*`: `/healthz/etcd`). */
function urlMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

/** A request's flow within its level: its schema and, by the schema's distinguisherMethod, its user's name or its namespace. */
export function flowOf(schema: KubeObject, user: UserInfo, attrs: RequestAttributes): string {
  const method = schema.spec?.distinguisherMethod?.type;
  const distinguisher = method === 'ByUser' ? user.name : method === 'ByNamespace' && attrs.resourceRequest ? (attrs.namespace ?? '') : '';
  return `${schema.metadata.name}\0${distinguisher}`;
}
