// The OpenAPI documents: v3, one per group version (/openapi/v3/apis/apps/v1), and Swagger 2
// (/openapi/v2), every group version in one. Each has the group version's operations
// (operations.ts) and the schemas they refer to: the kinds (hand-described ones from their
// modules, custom ones from their CRDs), the Go types below them as named schemas, the list
// kinds, and the meta types operations take and answer (DeleteOptions, Status, WatchEvent,
// Patch, APIResourceList).
import { customSchemas, schemaName } from '../custom-resources/openapi.js';
import { messageOf } from '../protobuf/schema.js';
import { apiPrefix, type GroupVersionInfo, type ResourceInfo } from '../resources.js';
import { messageSchema } from '../schema/from-protobuf.js';
import { builtinSchema, builtinSchemaName, openAPIOf, SHARED_SCHEMAS, schemaNameOfMessage, type Components } from '../schema/openapi.js';
import { groupVersionPaths, type Operation, type Param, type PathItem, type SchemaNames } from './operations.js';

type Json = Record<string, unknown>;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

/** The schemas of a group version's kinds and what its operations name, gathered as they are named. */
class SchemaSet {
  readonly components: Components = new Map();

  constructor(
    private readonly resources: ResourceInfo[],
    v2: boolean,
  ) {
    for (const [name, schema] of Object.entries(SHARED_SCHEMAS)) this.components.set(name, schema);
    for (const r of resources) {
      if (r.module.custom) continue;
      const schema = builtinSchema(r.module, this.components);
      if (schema) this.components.set(builtinSchemaName(r.module), schema);
    }
    if (resources.some((r) => r.module.custom)) {
      const meta = { objectMeta: ref3(this.message(`${META}ObjectMeta`)).$ref, listMeta: ref3(this.message(`${META}ListMeta`)).$ref };
      for (const [name, schema] of Object.entries(customSchemas(resources, meta, v2))) this.components.set(name, schema as Json);
    }
    this.components.set(PATCH, { type: 'object', description: 'A patch: its media type says which kind (JSON patch, merge patch, strategic merge patch, apply configuration).' });
  }

  /** The named schema of a protobuf message's type, made from its generated shape. */
  message(message: string): string {
    const name = schemaNameOfMessage(message);
    if (!this.components.has(name)) this.components.set(name, openAPIOf(messageSchema(message), message, this.components));
    return name;
  }

  readonly names: SchemaNames = {
    kind: (group, version, kind) => {
      const r = this.resources.find((x) => x.group === group && x.version === version && x.kind === kind);
      if (r?.module.custom) return schemaName(group, version, kind);
      if (r) return this.components.has(builtinSchemaName(r.module)) ? builtinSchemaName(r.module) : undefined;
      // A subresource's kind this group version does not serve (Scale, Eviction, TokenRequest...).
      const message = messageOf(group ? `${group}/${version}` : version, kind);
      return message ? this.message(message) : undefined;
    },
    list: (group, version, kind) => {
      const r = this.resources.find((x) => x.group === group && x.version === version && x.kind === kind);
      if (!r) return undefined;
      if (r.module.custom) return schemaName(group, version, `${kind}List`);
      const item = this.names.kind(group, version, kind);
      if (!item) return undefined;
      const message = messageOf(group ? `${group}/${version}` : version, `${kind}List`);
      const name = message ? schemaNameOfMessage(message) : `${item}List`;
      if (!this.components.has(name)) {
        this.components.set(name, {
          description: `A list of ${kind} objects.`,
          type: 'object',
          required: ['items'],
          properties: {
            apiVersion: { type: 'string', description: 'The versioned schema of this list.' },
            items: { type: 'array', items: { allOf: [{ $ref: `#/components/schemas/${item}` }] } },
            kind: { type: 'string', description: 'The type of this object, in CamelCase.' },
            metadata: { allOf: [{ $ref: `#/components/schemas/${this.message(`${META}ListMeta`)}` }], description: 'Where this list is in the stored history, and how to get its next page.' },
          },
          'x-kubernetes-group-version-kind': [{ group, kind: `${kind}List`, version }],
        });
      }
      return name;
    },
    get deleteOptions() {
      return schemaNameOfMessage(`${META}DeleteOptions`);
    },
    get status() {
      return schemaNameOfMessage(`${META}Status`);
    },
    get watchEvent() {
      return schemaNameOfMessage(`${META}WatchEvent`);
    },
    patch: PATCH,
    get apiResourceList() {
      return schemaNameOfMessage(`${META}APIResourceList`);
    },
  };

  /** The paths of the group version, with every schema they name made. */
  paths(gv: GroupVersionInfo): PathItem[] {
    for (const m of ['DeleteOptions', 'Status', 'WatchEvent', 'APIResourceList']) this.message(`${META}${m}`);
    return groupVersionPaths(gv.group, gv.version, gv.resources, this.names, apiPrefix(gv));
  }
}

const ref3 = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function v3Param(p: Param): Json {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function v3Operation(o: Operation): Json {
  const responses: Json = {};
  for (const r of o.responses) {
    const schema = r.schema ? ref3(r.schema) : r.code === '200' && o.action === 'connect' ? { type: 'string' } : undefined;
    responses[r.code] = schema ? { description: r.description, content: Object.fromEntries(o.produces.map((m) => [m, { schema }])) } : { description: r.description };
  }
  return {
    tags: [o.tag],
    description: o.description,
    operationId: o.operationId,
    ...(o.params.length ? { parameters: o.params.map(v3Param) } : {}),
    ...(o.body ? { requestBody: { content: Object.fromEntries((o.body.mediaTypes ?? ['*/*']).map((m) => [m, { schema: ref3(o.body!.schema) }])), ...(o.body.required ? { required: true } : {}) } } : {}),
    responses,
    ...(o.action ? { 'x-kubernetes-action': o.action } : {}),
    ...(o.gvk ? { 'x-kubernetes-group-version-kind': o.gvk } : {}),
  };
}

/** A group version's OpenAPI v3 document. */
export function openAPIv3Document(gv: GroupVersionInfo, gitVersion: string): Json {
  const set = new SchemaSet(gv.resources, false);
  const paths: Json = {};
  for (const p of set.paths(gv)) {
    const item: Json = p.params.length ? { parameters: p.params.map(v3Param) } : {};
    for (const o of p.operations) item[o.method] = v3Operation(o);
    paths[p.path] = item;
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: gitVersion }, paths, components: { schemas: Object.fromEntries(set.components) } };
}

function v2Param(p: Param): Json {
  return { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in, ...(p.required ? { required: true } : {}) };
}

function v2Operation(o: Operation): Json {
  const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
  const responses: Json = {};
  for (const r of o.responses) responses[r.code] = r.schema ? { description: r.description, schema: ref(r.schema) } : r.code === '200' && o.action === 'connect' ? { description: r.description, schema: { type: 'string' } } : { description: r.description };
  const body = o.body ? [{ name: 'body', in: 'body', ...(o.body.required ? { required: true } : {}), schema: ref(o.body.schema) }] : [];
  return {
    description: o.description,
    consumes: o.body?.mediaTypes ?? ['*/*'],
    produces: o.produces,
    schemes: ['https'],
    tags: [o.tag],
    operationId: o.operationId,
    ...(o.params.length || body.length ? { parameters: [...body, ...o.params.map(v2Param)] } : {}),
    responses,
    ...(o.action ? { 'x-kubernetes-action': o.action } : {}),
    ...(o.gvk ? { 'x-kubernetes-group-version-kind': o.gvk } : {}),
  };
}

/** A v3 schema as Swagger 2 says it: `definitions` references, and `allOf: [{$ref}]` as the `$ref` itself (what Kubernetes' v2 document has). */
function toV2Schema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toV2Schema);
  if (value === null || typeof value !== 'object') return value;
  const s = value as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', '#/definitions/') : toV2Schema(v);
  const allOf = out.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && typeof (allOf[0] as Json | undefined)?.$ref === 'string' && out.$ref === undefined) {
    delete out.allOf;
    out.$ref = (allOf[0] as Json).$ref;
  }
  return out;
}

/** The Swagger 2 document of every group version. */
export function openAPIv2Document(gvs: GroupVersionInfo[], gitVersion: string): Json {
  const paths: Json = {};
  const definitions: Json = {};
  for (const gv of gvs) {
    const set = new SchemaSet(gv.resources, true);
    for (const p of set.paths(gv)) {
      const item: Json = p.params.length ? { parameters: p.params.map(v2Param) } : {};
      for (const o of p.operations) item[o.method] = v2Operation(o);
      paths[p.path] = item;
    }
    for (const [name, schema] of set.components) if (!(name in definitions)) definitions[name] = toV2Schema(schema);
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'A bearer token in the Authorization header.', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
