// flowcontrol.apiserver.k8s.io/v1 FlowSchema: which requests (by subject, verb, resource) belong
// to which priority level of API Priority and Fairness. Served and checked as Kubernetes 1.32
// does, with the two mandatory schemas (see MANDATORY_FLOW_SCHEMAS; the suggested ones are in
// suggested-configuration.ts); the apiserver classifies requests by them.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1123Label, dns1123Subdomain } from '../../validation/names.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

const MAX_PRECEDENCE = 10_000;
const SUBJECT_KINDS = ['Group', 'ServiceAccount', 'User'];
const DISTINGUISHERS = ['ByNamespace', 'ByUser'];
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];

const everything = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };
const group = (name: string) => ({ kind: 'Group', group: { name } });
const AUTOUPDATE = { 'apf.kubernetes.io/autoupdate-spec': 'true' };

/** The schemas every cluster has, as Kubernetes' apiserver keeps them. */
export const MANDATORY_FLOW_SCHEMAS: KubeObject[] = [
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: 'exempt', annotations: AUTOUPDATE },
    spec: { matchingPrecedence: 1, priorityLevelConfiguration: { name: 'exempt' }, rules: [{ subjects: [group('system:masters')], ...everything }] },
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: 'catch-all', annotations: AUTOUPDATE },
    spec: {
      matchingPrecedence: MAX_PRECEDENCE,
      priorityLevelConfiguration: { name: 'catch-all' },
      distinguisherMethod: { type: 'ByUser' },
      rules: [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], ...everything }],
    },
  },
];

const list = (v: unknown): Unstructured[] => (Array.isArray(v) ? v : []);

function validateSubject(s: Unstructured, path: string, errs: FieldErrors): void {
  const kind = s?.kind;
  if (!kind) return errs.required(`${path}.kind`);
  if (!SUBJECT_KINDS.includes(kind)) return errs.notSupported(`${path}.kind`, kind, SUBJECT_KINDS);
  const field = kind === 'User' ? 'user' : kind === 'Group' ? 'group' : 'serviceAccount';
  for (const other of ['user', 'group', 'serviceAccount']) if (other !== field && s[other] !== undefined && s[other] !== null) errs.forbidden(`${path}.${other}`, `${other} is forbidden when subject kind is not '${other === 'serviceAccount' ? 'ServiceAccount' : other[0]!.toUpperCase() + other.slice(1)}'`);
  const ref = s[field];
  if (!ref) return errs.required(`${path}.${field}`, `${field} is required when subject kind is '${kind}'`);
  if (!ref.name) errs.required(`${path}.${field}.name`);
  else if (kind === 'ServiceAccount' && ref.name !== '*') errs.format(`${path}.serviceAccount.name`, String(ref.name), dns1123Subdomain(String(ref.name)));
  if (kind !== 'ServiceAccount') return;
  if (!ref.namespace) errs.required(`${path}.serviceAccount.namespace`, 'must specify namespace for service account');
  else errs.format(`${path}.serviceAccount.namespace`, String(ref.namespace), dns1123Label(String(ref.namespace)));
}

/** A list where `*` means every value must hold it alone. */
function validateWildcardList(values: unknown[], field: string, what: string, errs: FieldErrors): boolean {
  if (!values.includes('*') || values.length === 1) return values.includes('*');
  errs.invalid(field, values, `if '*' is present, must not specify other ${what}`);
  return true;
}

function validateVerbs(verbs: unknown[], field: string, errs: FieldErrors): void {
  if (!verbs.length) return errs.required(field, 'verbs must contain at least one value');
  if (validateWildcardList(verbs, field, 'verbs', errs)) return;
  if (verbs.some((v) => !VERBS.includes(v as string))) errs.notSupported(field, verbs, VERBS);
}

/** A non-resource URL: from the root, no spaces or `//`, and `*` only as a last `/*`. */
function nonResourceURLProblem(path: string): string | undefined {
  if (path === '') return 'must not be empty';
  if (path === '/') return undefined;
  if (!path.startsWith('/')) return 'must start with slash';
  if (path.includes(' ')) return 'must not contain white-space';
  if (path.includes('//')) return 'must not contain double slash';
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function validateRule(rule: Unstructured, path: string, errs: FieldErrors): void {
  const subjects = list(rule?.subjects);
  if (!subjects.length) errs.required(`${path}.subjects`, 'subjects must contain at least one value');
  subjects.forEach((s, i) => validateSubject(s, `${path}.subjects[${i}]`, errs));
  const resourceRules = list(rule?.resourceRules);
  const nonResourceRules = list(rule?.nonResourceRules);
  if (!resourceRules.length && !nonResourceRules.length) errs.required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty');
  resourceRules.forEach((r, i) => {
    const p = `${path}.resourceRules[${i}]`;
    validateVerbs(list(r?.verbs), `${p}.verbs`, errs);
    const groups = list(r?.apiGroups);
    if (!groups.length) errs.required(`${p}.apiGroups`, 'resource rules must supply at least one api group');
    else validateWildcardList(groups, `${p}.apiGroups`, 'api groups', errs);
    const resources = list(r?.resources);
    if (!resources.length) errs.required(`${p}.resources`, 'resource rules must supply at least one resource');
    else validateWildcardList(resources, `${p}.resources`, 'resources', errs);
    const namespaces = list(r?.namespaces);
    if (!namespaces.length && r?.clusterScope !== true) errs.required(`${p}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace');
    else if (!validateWildcardList(namespaces, `${p}.namespaces`, 'namespaces', errs)) {
      namespaces.forEach((ns, j) => {
        const problems = dns1123Label(String(ns));
        if (problems.length) errs.invalid(`${p}.namespaces[${j}]`, ns, `each member of this list must be '*' or a DNS-1123 label; ${problems[0]}`);
      });
    }
  });
  nonResourceRules.forEach((r, i) => {
    const p = `${path}.nonResourceRules[${i}]`;
    validateVerbs(list(r?.verbs), `${p}.verbs`, errs);
    const urls = list(r?.nonResourceURLs);
    if (!urls.length) errs.required(`${p}.nonResourceURLs`, 'nonResourceURLs must contain at least one value');
    else if (!validateWildcardList(urls, `${p}.nonResourceURLs`, 'non-resource URLs', errs)) {
      urls.forEach((u, j) => {
        const problem = nonResourceURLProblem(String(u));
        if (problem) errs.invalid(`${p}.nonResourceURLs[${j}]`, u, problem);
      });
    }
  });
}

export const flowSchema: KindModule = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  kind: 'FlowSchema',
  plural: 'flowschemas',
  namespaced: false,
  generation: true,
  subresources: [statusOf('FlowSchema')],
  schema: schemaFromProtobuf('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'),
  columns: [
    nameCol,
    col('PriorityLevel', (o) => String(o.spec?.priorityLevelConfiguration?.name ?? ''), { description: '`name` is the name of the priority level configuration being referenced Required.' }),
    col('MatchingPrecedence', (o) => Number(o.spec?.matchingPrecedence ?? 0), { description: 'The matching precedence of the FlowSchema; lower values match first.' }),
    col('DistinguisherMethod', (o) => String(o.spec?.distinguisherMethod?.type ?? '*'), { description: 'How flows of this schema are told apart (`*` for none).' }),
    ageCol,
    col('MissingPL', (o) => String(list(o.status?.conditions).find((c) => c?.type === 'Dangling')?.status ?? '?'), { description: 'references a broken or non-existent PriorityLevelConfiguration' }),
  ],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    spec.matchingPrecedence ??= 1000;
  },
  validate(o, errs) {
    const spec = o.spec ?? {};
    const name = o.metadata.name ?? '';
    const precedence = spec.matchingPrecedence;
    if (typeof precedence === 'number') {
      if (precedence <= 0) errs.invalid('spec.matchingPrecedence', precedence, 'must be a positive value');
      else if (precedence > MAX_PRECEDENCE) errs.invalid('spec.matchingPrecedence', precedence, `must not be greater than ${MAX_PRECEDENCE}`);
      else if (precedence === 1 && name !== 'exempt') errs.invalid('spec.matchingPrecedence', precedence, "only the schema named 'exempt' may have matchingPrecedence 1");
    }
    const method = spec.distinguisherMethod?.type;
    if (spec.distinguisherMethod && !DISTINGUISHERS.includes(method)) errs.notSupported('spec.distinguisherMethod.type', method, DISTINGUISHERS);
    const level = spec.priorityLevelConfiguration?.name;
    if (!level) errs.required('spec.priorityLevelConfiguration.name', 'must reference a priority level');
    else errs.format('spec.priorityLevelConfiguration.name', String(level), dns1123Subdomain(String(level)));
    list(spec.rules).forEach((r, i) => validateRule(r, `spec.rules[${i}]`, errs));
  },
  strategy: withStatus(),
};
