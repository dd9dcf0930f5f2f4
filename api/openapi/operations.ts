// The operations of a group version, as Kubernetes' OpenAPI documents list them: one path per
// collection, object, subresource and (deprecated) watch path, each operation with its
// operationId (listCoreV1NamespacedPod), tag (core_v1), x-kubernetes-action and
// x-kubernetes-group-version-kind, its parameters, body and answers. Client generators and
// kubectl read these (kubectl: whether a write takes fieldValidation, dryRun). A neutral shape
// here; documents.ts writes it as OpenAPI v3 and as Swagger 2. The descriptions are our words.
import type { KindModule, StrategyOptions } from '../kinds/kind.js';
import type { ResourceInfo } from '../resources.js';

export interface Param {
  name: string;
  in: 'path' | 'query';
  type: 'string' | 'integer' | 'boolean';
  description: string;
  required?: boolean;
  uniqueItems?: boolean;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete' | 'head' | 'options';
  operationId: string;
  description: string;
  tag: string;
  action: string;
  gvk?: { group: string; version: string; kind: string };
  params: Param[];
  /** The schema of the request body (a component name), and its media types (patches). */
  body?: { schema: string; required: boolean; mediaTypes?: string[] };
  produces: string[];
  responses: Array<{ code: string; description: string; schema?: string }>;
}

export interface PathItem {
  path: string;
  /** Parameters every operation of the path takes (its path parameters, pretty). */
  params: Param[];
  operations: Operation[];
}

/** What the operations refer to by name (components in v3, definitions in v2). */
export interface SchemaNames {
  /** A kind's schema (undefined: the kind publishes none, its bodies are described loosely). */
  kind(group: string, version: string, kind: string): string | undefined;
  list(group: string, version: string, kind: string): string | undefined;
  deleteOptions: string;
  status: string;
  watchEvent: string;
  patch: string;
  apiResourceList: string;
}

/** A strategy's answer to a delete, read without the apiserver's flags (they do not change it). */
const DEFAULT_STRATEGY_OPTIONS: StrategyOptions = { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 };
function returnsDeletedObject(m: KindModule): boolean {
  const s = typeof m.strategy === 'function' ? m.strategy(DEFAULT_STRATEGY_OPTIONS) : m.strategy;
  return s?.returnDeletedObject === true;
}

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description, uniqueItems: true });

const PARAMS = {
  pretty: q('pretty', 'string', "If 'true', the answer is indented for people to read."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'A watch may send BOOKMARK events, which carry only a resourceVersion to resume from. Ignored by list.'),
  continue: q('continue', 'string', 'The token a previous page of a chunked list gave, to get the next page. Only valid with the same selectors as that list.'),
  fieldSelector: q('fieldSelector', 'string', 'Only objects whose fields match (metadata.name=x, status.phase!=Running, ...). All objects when empty.'),
  labelSelector: q('labelSelector', 'string', 'Only objects whose labels match (app=web, tier in (a,b), !legacy). All objects when empty.'),
  limit: q('limit', 'integer', 'At most this many objects; when more remain, the list metadata carries a continue token for the next page.'),
  resourceVersion: q('resourceVersion', 'string', 'How current the answer must be: unset for the latest, "0" for any cached state, else at least (or exactly, with resourceVersionMatch) this version.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: NotOlderThan or Exact.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'A watch starts with ADDED events for the objects that exist, then a bookmark marking their end (needs allowWatchBookmarks and resourceVersionMatch=NotOlderThan).'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'The most seconds a list or watch call may last, whatever it is doing.'),
  watch: q('watch', 'boolean', 'Stream changes to the selected objects (added, modified, deleted) instead of listing them.'),
  dryRun: q('dryRun', 'string', 'All: check and answer as if done, but store nothing.'),
  fieldManager: q('fieldManager', 'string', 'The name of the writer, recorded in managedFields as the owner of the fields it sets.'),
  fieldValidation: q('fieldValidation', 'string', 'What unknown or duplicated fields in the body do: Ignore (dropped), Warn (dropped with a warning; the default) or Strict (the request fails).'),
  force: q('force', 'boolean', 'Server-side apply only: take the fields other managers own instead of failing with a conflict.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds the object has to finish before it is removed; 0 removes it now. The kind decides when unset.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete an object that cannot be read back from storage (corrupt, or undecryptable). Dangerous: nothing else runs.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether objects this one owns are left behind.'),
  propagationPolicy: q('propagationPolicy', 'string', 'What happens to the objects this one owns: Orphan (left), Background (collected after) or Foreground (collected before it goes).'),
  // Subresources
  container: q('container', 'string', 'The container meant; may be left out when the pod has one.'),
  command: q('command', 'string', 'The command and its arguments, one parameter each.'),
  stdin: q('stdin', 'boolean', 'Attach the standard input.'),
  stdout: q('stdout', 'boolean', 'Attach the standard output.'),
  stderr: q('stderr', 'boolean', 'Attach the standard error.'),
  tty: q('tty', 'boolean', 'Allocate a terminal.'),
  ports: q('ports', 'integer', "The pod's ports to forward."),
  follow: q('follow', 'boolean', 'Keep the stream open and send new lines as they are written.'),
  insecureSkipTLSVerifyBackend: q('insecureSkipTLSVerifyBackend', 'boolean', "Do not check the kubelet's serving certificate."),
  limitBytes: q('limitBytes', 'integer', 'Stop after this many bytes.'),
  previous: q('previous', 'boolean', "The container's previous run (after a restart)."),
  sinceSeconds: q('sinceSeconds', 'integer', 'Only lines written in the last so many seconds.'),
  stream: q('stream', 'string', 'All (the default), Stdout or Stderr.'),
  tailLines: q('tailLines', 'integer', 'Only the last so many lines.'),
  timestamps: q('timestamps', 'boolean', 'Start each line with its RFC3339 time.'),
  proxyPath: q('path', 'string', 'The path to ask the backend for.'),
};

const LIST_PARAMS = [PARAMS.allowWatchBookmarks, PARAMS.continue, PARAMS.fieldSelector, PARAMS.labelSelector, PARAMS.limit, PARAMS.resourceVersion, PARAMS.resourceVersionMatch, PARAMS.sendInitialEvents, PARAMS.timeoutSeconds, PARAMS.watch];
const WRITE_PARAMS = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];
const DELETE_PARAMS = [PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.ignoreStoreReadErrorWithClusterBreakingPotential, PARAMS.orphanDependents, PARAMS.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [
  PARAMS.continue,
  PARAMS.dryRun,
  PARAMS.fieldSelector,
  PARAMS.gracePeriodSeconds,
  PARAMS.ignoreStoreReadErrorWithClusterBreakingPotential,
  PARAMS.labelSelector,
  PARAMS.limit,
  PARAMS.orphanDependents,
  PARAMS.propagationPolicy,
  PARAMS.resourceVersion,
  PARAMS.resourceVersionMatch,
  PARAMS.sendInitialEvents,
  PARAMS.timeoutSeconds,
];

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description, required: true, uniqueItems: true });
const NAMESPACE = pathParam('namespace', 'The namespace of the objects.');

export const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
// Custom resources take no strategic merge patch (no patch strategies without Go types), and
// kubectl apply reads this list to choose between the two kinds of patch it can compute.
const CUSTOM_PATCH_TYPES = PATCH_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');
const OBJECT_MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_MEDIA = ['application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const UNAUTHORIZED = { code: '401', description: 'Unauthorized' };

/** `rbac.authorization.k8s.io` -> `RbacAuthorization`, `` -> `Core`, `stable.example.com` -> `StableExampleCom`. */
export function groupIdentifier(group: string): string {
  if (group === '') return 'Core';
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed
    .split(/[.-]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

const capitalized = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** `core_v1`, `rbacAuthorization_v1`: the tag of a group version's operations. */
export function groupVersionTag(group: string, version: string): string {
  const id = groupIdentifier(group);
  return `${id[0]!.toLowerCase()}${id.slice(1)}_${version}`;
}

/** A kind's name in its plural sense, for descriptions. */
const plural = (kind: string) => (/(s|x|ch|sh)$/.test(kind) ? `${kind}es` : /[^aeiou]y$/.test(kind) ? `${kind.slice(0, -1)}ies` : `${kind}s`);

export function groupVersionPaths(group: string, version: string, resources: ResourceInfo[], names: SchemaNames, apiPrefix: string): PathItem[] {
  const gvId = `${groupIdentifier(group)}${capitalized(version)}`;
  const tag = groupVersionTag(group, version);
  const out: PathItem[] = [
    {
      path: `${apiPrefix}/`,
      params: [],
      operations: [
        {
          method: 'get',
          operationId: `get${gvId}APIResources`,
          description: `The resources ${group ? `${group}/${version}` : version} serves (discovery).`,
          tag,
          action: '',
          params: [],
          produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
          responses: [{ code: '200', description: 'OK', schema: names.apiResourceList }, UNAUTHORIZED],
        },
      ],
    },
  ];
  for (const r of resources) out.push(...resourcePaths(r, gvId, tag, names, apiPrefix));
  return out;
}

function resourcePaths(r: ResourceInfo, gvId: string, tag: string, names: SchemaNames, apiPrefix: string): PathItem[] {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const kindSchema = names.kind(r.group, r.version, r.kind);
  const listSchema = names.list(r.group, r.version, r.kind);
  const produces = r.module.custom ? ['application/json', 'application/yaml'] : OBJECT_MEDIA;
  const verbs = new Set<string>(r.verbs);
  const scope = r.namespaced ? 'Namespaced' : '';
  const collection = r.namespaced ? `${apiPrefix}/namespaces/{namespace}/${r.plural}` : `${apiPrefix}/${r.plural}`;
  const name = pathParam('name', `The name of the ${r.kind}.`);
  const scoped = r.namespaced ? [NAMESPACE] : [];
  const op = (o: Omit<Operation, 'tag' | 'gvk' | 'produces'> & { produces?: string[]; gvk?: Operation['gvk'] }): Operation => ({ tag, gvk, produces, ...o });
  const ok = (schema = kindSchema) => ({ code: '200', description: 'OK', schema });
  const paths: PathItem[] = [];

  const coll: Operation[] = [];
  if (verbs.has('list')) {
    coll.push(op({ method: 'get', operationId: `list${gvId}${scope}${r.kind}`, description: `List ${plural(r.kind)}, or watch them with watch=true.`, action: 'list', params: LIST_PARAMS, produces: [...produces, ...WATCH_MEDIA], responses: [ok(listSchema), UNAUTHORIZED] }));
  }
  if (verbs.has('create')) {
    coll.push(op({ method: 'post', operationId: `create${gvId}${scope}${r.kind}`, description: `Create a ${r.kind}.`, action: 'post', params: WRITE_PARAMS, body: kindSchema ? { schema: kindSchema, required: true } : undefined, responses: [ok(), { code: '201', description: 'Created', schema: kindSchema }, { code: '202', description: 'Accepted', schema: kindSchema }, UNAUTHORIZED] }));
  }
  if (verbs.has('deletecollection')) {
    coll.push(op({ method: 'delete', operationId: `delete${gvId}Collection${scope}${r.kind}`, description: `Delete every ${r.kind} the selectors match.`, action: 'deletecollection', params: DELETE_COLLECTION_PARAMS, body: { schema: names.deleteOptions, required: false }, responses: [ok(names.status), UNAUTHORIZED] }));
  }
  if (coll.length) paths.push({ path: collection, params: [...scoped, PARAMS.pretty], operations: coll });

  const item: Operation[] = [];
  // What a delete answers: the object when the kind says so (it may still be finishing), else a Status.
  const deleted = returnsDeletedObject(r.module) ? kindSchema : names.status;
  if (verbs.has('get')) item.push(op({ method: 'get', operationId: `read${gvId}${scope}${r.kind}`, description: `Read a ${r.kind} by name.`, action: 'get', params: [], responses: [ok(), UNAUTHORIZED] }));
  if (verbs.has('update')) item.push(op({ method: 'put', operationId: `replace${gvId}${scope}${r.kind}`, description: `Replace a ${r.kind} (its resourceVersion, when given, must be the stored one).`, action: 'put', params: WRITE_PARAMS, body: kindSchema ? { schema: kindSchema, required: true } : undefined, responses: [ok(), { code: '201', description: 'Created', schema: kindSchema }, UNAUTHORIZED] }));
  if (verbs.has('delete')) item.push(op({ method: 'delete', operationId: `delete${gvId}${scope}${r.kind}`, description: `Delete a ${r.kind}.`, action: 'delete', params: DELETE_PARAMS, body: { schema: names.deleteOptions, required: false }, responses: [ok(deleted), { code: '202', description: 'Accepted', schema: deleted }, UNAUTHORIZED] }));
  if (verbs.has('patch')) {
    const kinds = r.module.custom ? 'JSON patch, merge patch or server-side apply' : 'JSON patch, merge patch, strategic merge patch or server-side apply';
    item.push(patchOperation(op, `patch${gvId}${scope}${r.kind}`, `Change part of a ${r.kind}: ${kinds}.`, names, kindSchema, r.module.custom !== undefined));
  }
  if (item.length) paths.push({ path: `${collection}/{name}`, params: [name, ...scoped, PARAMS.pretty], operations: item });

  for (const s of r.subresources) paths.push(...subresourcePaths(r, s, { gvId, scope, collection, name, scoped, op, names, kindSchema }));

  if (verbs.has('watch')) {
    const watchPrefix = r.namespaced ? `${apiPrefix}/watch/namespaces/{namespace}/${r.plural}` : `${apiPrefix}/watch/${r.plural}`;
    const watchOp = (operationId: string, description: string, action: string) =>
      op({ method: 'get', operationId, description, action, params: [], produces: [...produces, ...WATCH_MEDIA], responses: [{ code: '200', description: 'OK', schema: names.watchEvent }, UNAUTHORIZED] });
    paths.push({ path: watchPrefix, params: [...LIST_PARAMS, ...scoped, PARAMS.pretty], operations: [watchOp(`watch${gvId}${scope}${r.kind}List`, `Watch changes to ${plural(r.kind)}. Deprecated: list with watch=true.`, 'watchlist')] });
    paths.push({ path: `${watchPrefix}/{name}`, params: [...LIST_PARAMS, name, ...scoped, PARAMS.pretty], operations: [watchOp(`watch${gvId}${scope}${r.kind}`, `Watch changes to one ${r.kind}. Deprecated: list with watch=true and a field selector on metadata.name.`, 'watch')] });
  }
  if (r.namespaced && verbs.has('list')) {
    const across = `${apiPrefix}/${r.plural}`;
    paths.push({ path: across, params: [...LIST_PARAMS, PARAMS.pretty], operations: [op({ method: 'get', operationId: `list${gvId}${r.kind}ForAllNamespaces`, description: `List ${plural(r.kind)} in every namespace, or watch them with watch=true.`, action: 'list', params: [], produces: [...produces, ...WATCH_MEDIA], responses: [ok(listSchema), UNAUTHORIZED] })] });
    if (verbs.has('watch')) {
      paths.push({ path: `${apiPrefix}/watch/${r.plural}`, params: [...LIST_PARAMS, PARAMS.pretty], operations: [op({ method: 'get', operationId: `watch${gvId}${r.kind}ListForAllNamespaces`, description: `Watch changes to ${plural(r.kind)} in every namespace. Deprecated: list with watch=true.`, action: 'watchlist', params: [], produces: [...produces, ...WATCH_MEDIA], responses: [{ code: '200', description: 'OK', schema: names.watchEvent }, UNAUTHORIZED] })] });
    }
  }
  return paths;
}

type OpMaker = (o: Omit<Operation, 'tag' | 'gvk' | 'produces'> & { produces?: string[]; gvk?: Operation['gvk'] }) => Operation;

function patchOperation(op: OpMaker, operationId: string, description: string, names: SchemaNames, schema: string | undefined, custom: boolean, gvk?: Operation['gvk']): Operation {
  return op({
    method: 'patch',
    operationId,
    description,
    action: 'patch',
    ...(gvk ? { gvk } : {}),
    params: [...WRITE_PARAMS, PARAMS.force],
    body: { schema: names.patch, required: true, mediaTypes: custom ? CUSTOM_PATCH_TYPES : PATCH_TYPES },
    responses: [{ code: '200', description: 'OK', schema }, { code: '201', description: 'Created', schema }, UNAUTHORIZED],
  });
}

interface SubresourceContext {
  gvId: string;
  scope: string;
  collection: string;
  name: Param;
  scoped: Param[];
  op: OpMaker;
  names: SchemaNames;
  kindSchema: string | undefined;
}

const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);
const CONNECT_PARAMS: Record<string, Param[]> = {
  exec: [PARAMS.command, PARAMS.container, PARAMS.stderr, PARAMS.stdin, PARAMS.stdout, PARAMS.tty],
  attach: [PARAMS.container, PARAMS.stderr, PARAMS.stdin, PARAMS.stdout, PARAMS.tty],
  portforward: [PARAMS.ports],
  proxy: [PARAMS.proxyPath],
};
const CONNECT_DESCRIPTIONS: Record<string, string> = {
  exec: 'Run a command in a container (an upgraded connection: WebSocket or SPDY).',
  attach: "Attach to a running container's standard streams (an upgraded connection).",
  portforward: "Forward connections to the pod's ports (an upgraded connection).",
  proxy: 'Relay the request to the object (a pod, a Service endpoint, a node).',
};
const METHOD_VERBS: Record<string, Operation['method']> = { get: 'get', create: 'post', update: 'put', patch: 'patch', delete: 'delete' };

function subresourcePaths(r: ResourceInfo, s: ResourceInfo['subresources'][number], c: SubresourceContext): PathItem[] {
  const base = `${c.collection}/{name}/${s.name}`;
  const suffix = capitalized(s.name);
  const subKind = { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind };
  const schema = c.names.kind(subKind.group, subKind.version, subKind.kind);
  if (CONNECT.has(s.name)) {
    const methods = s.name === 'proxy' ? ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] : s.verbs.map((v) => METHOD_VERBS[v]).filter((m): m is Operation['method'] => !!m);
    const connect = (withPath: boolean) =>
      methods.map((method) =>
        c.op({
          method: method as Operation['method'],
          operationId: `connect${c.gvId}${capitalized(method)}${c.scope}${r.kind}${suffix}${withPath ? 'WithPath' : ''}`,
          description: CONNECT_DESCRIPTIONS[s.name]!,
          action: 'connect',
          gvk: subKind,
          params: withPath ? [] : CONNECT_PARAMS[s.name] ?? [],
          produces: ['*/*'],
          responses: [{ code: '200', description: 'OK' }, UNAUTHORIZED],
        }),
      );
    const items: PathItem[] = [{ path: base, params: [c.name, ...c.scoped], operations: connect(false) }];
    if (s.name === 'proxy') items.push({ path: `${base}/{path}`, params: [c.name, ...c.scoped, pathParam('path', 'The path to ask the backend for.')], operations: connect(true) });
    return items;
  }
  const ops: Operation[] = [];
  const verbs = new Set(s.verbs);
  if (s.name === 'log') {
    ops.push(
      c.op({
        method: 'get',
        operationId: `read${c.gvId}${c.scope}${r.kind}Log`,
        description: "Read a container's log.",
        action: 'get',
        gvk: subKind,
        params: [PARAMS.container, PARAMS.follow, PARAMS.insecureSkipTLSVerifyBackend, PARAMS.limitBytes, PARAMS.previous, PARAMS.sinceSeconds, PARAMS.stream, PARAMS.tailLines, PARAMS.timestamps],
        produces: ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
        responses: [{ code: '200', description: 'OK' }, UNAUTHORIZED],
      }),
    );
    return [{ path: base, params: [c.name, ...c.scoped, PARAMS.pretty], operations: ops }];
  }
  const ok = { code: '200', description: 'OK', schema };
  if (verbs.has('get')) ops.push(c.op({ method: 'get', operationId: `read${c.gvId}${c.scope}${r.kind}${suffix}`, description: `Read the ${s.name} of a ${r.kind}.`, action: 'get', gvk: subKind, params: [], responses: [ok, UNAUTHORIZED] }));
  if (verbs.has('update')) ops.push(c.op({ method: 'put', operationId: `replace${c.gvId}${c.scope}${r.kind}${suffix}`, description: `Replace the ${s.name} of a ${r.kind}.`, action: 'put', gvk: subKind, params: WRITE_PARAMS, body: schema ? { schema, required: true } : undefined, responses: [ok, { code: '201', description: 'Created', schema }, UNAUTHORIZED] }));
  if (verbs.has('patch')) ops.push(patchOperation(c.op, `patch${c.gvId}${c.scope}${r.kind}${suffix}`, `Change part of the ${s.name} of a ${r.kind}.`, c.names, schema, r.module.custom !== undefined, subKind));
  if (verbs.has('create')) ops.push(c.op({ method: 'post', operationId: `create${c.gvId}${c.scope}${r.kind}${suffix}`, description: `Create a ${s.kind} for a ${r.kind}.`, action: 'post', gvk: subKind, params: WRITE_PARAMS, body: schema ? { schema, required: true } : undefined, responses: [ok, { code: '201', description: 'Created', schema }, { code: '202', description: 'Accepted', schema }, UNAUTHORIZED] }));
  return ops.length ? [{ path: base, params: [c.name, ...c.scoped, PARAMS.pretty], operations: ops }] : [];
}
