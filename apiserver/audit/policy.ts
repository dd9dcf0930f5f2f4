// --audit-policy-file: Kubernetes' audit Policy (audit.k8s.io/v1). The first rule that matches
// a request sets its level (None, Metadata, Request, RequestResponse) and which stages are left
// out; no rule matching means None. Without a policy file every request is logged at Metadata,
// except Secrets, ConfigMaps and TokenReviews, whose bodies never are.
import { parseYAML } from '../../api/codec/yaml.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { RequestAttributes } from '../authz/request-info.js';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const LEVELS: Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: Stage[];
}

export const DEFAULT_POLICY: AuditPolicy = {
  omitStages: ['RequestReceived'],
  rules: [
    { level: 'Metadata', resources: [{ group: '', resources: ['secrets', 'configmaps'] }, { group: 'authentication.k8s.io', resources: ['tokenreviews', 'tokenrequests'] }] },
    { level: 'Metadata' },
  ],
};

function strings(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${field} must be a list of strings`);
  return v as string[];
}

function stages(v: unknown, field: string): Stage[] {
  const list = strings(v, field) ?? [];
  for (const s of list) if (!STAGES.includes(s as Stage)) throw new Error(`${field}: unknown stage ${s}`);
  return list as Stage[];
}

export function parseAuditPolicy(text: string): AuditPolicy {
  const doc = parseYAML(text) as Record<string, unknown> | null;
  if (!doc || doc.kind !== 'Policy' || doc.apiVersion !== 'audit.k8s.io/v1') throw new Error('expected kind Policy, apiVersion audit.k8s.io/v1');
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new Error('rules: at least one rule is required');
  const rules = doc.rules.map((raw: unknown, i): PolicyRule => {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (!LEVELS.includes(r.level as Level)) throw new Error(`rules[${i}].level must be one of ${LEVELS.join(', ')}`);
    const resources = r.resources === undefined ? undefined : (r.resources as unknown[]);
    if (resources !== undefined && !Array.isArray(resources)) throw new Error(`rules[${i}].resources must be a list`);
    return {
      level: r.level as Level,
      users: strings(r.users, `rules[${i}].users`),
      userGroups: strings(r.userGroups, `rules[${i}].userGroups`),
      verbs: strings(r.verbs, `rules[${i}].verbs`),
      namespaces: strings(r.namespaces, `rules[${i}].namespaces`),
      nonResourceURLs: strings(r.nonResourceURLs, `rules[${i}].nonResourceURLs`),
      omitStages: stages(r.omitStages, `rules[${i}].omitStages`),
      resources: resources?.map((g, j) => {
        const gr = (g ?? {}) as Record<string, unknown>;
        return {
          group: typeof gr.group === 'string' ? gr.group : undefined,
          resources: strings(gr.resources, `rules[${i}].resources[${j}].resources`),
          resourceNames: strings(gr.resourceNames, `rules[${i}].resources[${j}].resourceNames`),
        };
      }),
    };
  });
  return { rules, omitStages: stages(doc.omitStages, 'omitStages') };
}

function resourceMatches(g: GroupResources, attrs: Extract<RequestAttributes, { resourceRequest: true }>): boolean {
  if ((g.group ?? '') !== attrs.apiGroup && g.group !== '*') return false;
  const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const resources = g.resources ?? [];
  if (resources.length && !resources.some((r) => r === full || r === '*' || r === `${attrs.resource}/*` || (attrs.subresource && r === `*/${attrs.subresource}`))) return false;
  const names = g.resourceNames ?? [];
  return !names.length || names.includes(attrs.name);
}

function ruleMatches(r: PolicyRule, user: UserInfo | undefined, attrs: RequestAttributes): boolean {
  if (r.users?.length && !(user && r.users.includes(user.name))) return false;
  if (r.userGroups?.length && !(user && user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(attrs.verb)) return false;
  if (attrs.resourceRequest) {
    if (r.nonResourceURLs?.length) return false;
    if (r.namespaces?.length && !r.namespaces.includes(attrs.namespace)) return false;
    if (r.resources?.length && !r.resources.some((g) => resourceMatches(g, attrs))) return false;
  } else {
    if (r.resources?.length || r.namespaces?.length) return false;
    if (r.nonResourceURLs?.length && !r.nonResourceURLs.some((u) => u === attrs.path || (u.endsWith('*') && attrs.path.startsWith(u.slice(0, -1))))) return false;
  }
  return true;
}

/** The level a request is logged at, and the stages left out. */
export function evaluate(policy: AuditPolicy, user: UserInfo | undefined, attrs: RequestAttributes): { level: Level; omitStages: Stage[] } {
  for (const r of policy.rules) {
    if (ruleMatches(r, user, attrs)) return { level: r.level, omitStages: [...policy.omitStages, ...(r.omitStages ?? [])] };
  }
  return { level: 'None', omitStages: policy.omitStages };
}
