// OpenAPI v3: one document per group version listing every operation with its
// x-kubernetes-group-version-kind (so kubectl knows the server validates fields itself, with
// fieldValidation) and the schemas of its kinds: built-in ones from their modules, custom
// ones from their CRDs (kubectl explain reads them).
import { openAPIv2Document } from '../../api/protobuf/openapi-v2.js';
import type { FastifyInstance } from 'fastify';
import { apiPrefix, type GroupVersionInfo, type ResourceInfo, type ResourceTable } from '../../api/resources.js';
import { customSchemas } from '../../api/custom-resources/openapi.js';
import { builtinSchema, builtinSchemaName, SHARED_SCHEMAS } from '../../api/schema/openapi.js';
import { noSuchRoute } from '../../api/status.js';

const fieldValidationParam = {
  name: 'fieldValidation',
  in: 'query',
  description: 'How the server treats unknown and duplicate fields: Ignore, Warn (default) or Strict.',
  schema: { type: 'string', uniqueItems: true },
};
const dryRunParam = { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } };
const fieldManagerParam = { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } };
const ok = { '200': { description: 'OK' } };

function operation(r: ResourceInfo, action: string, extraParams: object[] = [], kind = { group: r.group, version: r.version, kind: r.kind }) {
  return {
    operationId: `${action}${r.kind}`,
    parameters: extraParams,
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
  };
}

function paths(gv: GroupVersionInfo) {
  const out: Record<string, Record<string, unknown>> = {};
  const prefix = apiPrefix(gv);
  const write = [dryRunParam, fieldManagerParam, fieldValidationParam];
  for (const r of gv.resources) {
    const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const item = `${collection}/{name}`;
    const verbs = new Set<string>(r.verbs);
    const coll: Record<string, unknown> = {};
    if (verbs.has('list')) coll.get = operation(r, 'list');
    if (verbs.has('create')) coll.post = operation(r, 'post', write);
    if (verbs.has('deletecollection')) coll.delete = operation(r, 'deletecollection');
    out[collection] = coll;
    const one: Record<string, unknown> = {};
    if (verbs.has('get')) one.get = operation(r, 'get');
    if (verbs.has('update')) one.put = operation(r, 'put', write);
    if (verbs.has('patch')) one.patch = operation(r, 'patch', write);
    if (verbs.has('delete')) one.delete = operation(r, 'delete');
    if (Object.keys(one).length) out[item] = one;
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = {};
      const kind = { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind };
      if (s.verbs.includes('get')) sub.get = operation(r, 'get', [], kind);
      if (s.verbs.includes('update')) sub.put = operation(r, 'put', write, kind);
      if (s.verbs.includes('patch')) sub.patch = operation(r, 'patch', write, kind);
      if (s.verbs.includes('create')) sub.post = operation(r, 'post', write, kind);
      out[`${item}/${s.name}`] = sub;
    }
  }
  return out;
}

function builtinSchemas(resources: ResourceInfo[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) {
    if (r.module.custom) continue;
    const schema = builtinSchema(r.module);
    if (schema) out[builtinSchemaName(r.module)] = schema;
  }
  return Object.keys(out).length ? { ...SHARED_SCHEMAS, ...out } : out;
}

function document(gv: GroupVersionInfo, gitVersion: string): string {
  return JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths: paths(gv),
    components: { schemas: { ...builtinSchemas(gv.resources), ...customSchemas(gv.resources) } },
  });
}

export async function openapiRoutes(app: FastifyInstance, opts: { gitVersion: string; table: ResourceTable }): Promise<void> {
  // Built per request from the table: custom resources come and go. Memoized by the group
  // version's resources, which the table replaces whenever they change.
  const memo = new WeakMap<ResourceInfo[], string>();
  const documentFor = (key: string): string | undefined => {
    const gv = opts.table.groupVersions().find((g) => apiPrefix(g).slice(1) === key);
    if (!gv) return undefined;
    let doc = memo.get(gv.resources);
    if (doc === undefined) memo.set(gv.resources, (doc = document(gv, opts.gitVersion)));
    return doc;
  };
  // OpenAPI v2: every kind's schema under `definitions` (references rewritten from v3's
  // components), as JSON or as the gnostic protobuf Document kubectl downloads.
  let v2: { gvs: unknown; text: string; protobuf?: Buffer } | undefined;
  const v2Document = () => {
    const gvs = opts.table.groupVersions();
    if (v2?.gvs !== gvs) {
      const definitions: Record<string, unknown> = {};
      for (const gv of gvs) Object.assign(definitions, builtinSchemas(gv.resources), customSchemas(gv.resources, true));
      const doc = { swagger: '2.0', info: { title: 'Kubernetes', version: opts.gitVersion }, paths: {}, definitions };
      v2 = { gvs, text: JSON.stringify(doc).replaceAll('#/components/schemas/', '#/definitions/') };
    }
    return v2;
  };
  app.get('/openapi/v2', async (req, reply) => {
    const doc = v2Document();
    if (/protobuf/.test(String(req.headers.accept ?? ''))) {
      doc.protobuf ??= openAPIv2Document(JSON.parse(doc.text) as Parameters<typeof openAPIv2Document>[0]);
      // As Kubernetes answers it: Go's mime parser (kubectl's) refuses the '@' of the media
      // type kubectl asks for, so the body goes as octet-stream.
      return reply.header('Content-Type', 'application/octet-stream').send(doc.protobuf);
    }
    return reply.type('application/json').send(doc.text);
  });
  app.get('/openapi/v3', async (_req, reply) => {
    const keys = opts.table.groupVersions().map((gv) => apiPrefix(gv).slice(1));
    return reply.type('application/json').send(JSON.stringify({ paths: Object.fromEntries(keys.map((k) => [k, { serverRelativeURL: `/openapi/v3/${k}` }])) }));
  });
  app.get('/openapi/v3/*', async (req, reply) => {
    const doc = documentFor((req.params as { '*': string })['*']);
    if (!doc) throw noSuchRoute();
    return reply.type('application/json').send(doc);
  });
}
