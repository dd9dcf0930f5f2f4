// /openapi/v2 and /openapi/v3: the documents of api/openapi/documents.ts, built when first
// asked for and kept until the served resources change (custom resources come and go).
import { openAPIv2Document as openAPIv2Protobuf } from '../../api/protobuf/openapi-v2.js';
import type { FastifyInstance } from 'fastify';
import { openAPIv2Document, openAPIv3Document } from '../../api/openapi/documents.js';
import { apiPrefix, type ResourceInfo, type ResourceTable } from '../../api/resources.js';
import { noSuchRoute } from '../../api/status.js';

export async function openapiRoutes(app: FastifyInstance, opts: { gitVersion: string; table: ResourceTable }): Promise<void> {
  // Memoized by the group version's resources, which the table replaces whenever they change.
  const memo = new WeakMap<ResourceInfo[], string>();
  const documentFor = (key: string): string | undefined => {
    const gv = opts.table.groupVersions().find((g) => apiPrefix(g).slice(1) === key);
    if (!gv) return undefined;
    let doc = memo.get(gv.resources);
    if (doc === undefined) memo.set(gv.resources, (doc = JSON.stringify(openAPIv3Document(gv, opts.gitVersion))));
    return doc;
  };
  // Swagger 2: as JSON, or as the gnostic protobuf Document kubectl downloads.
  let v2: { gvs: unknown; text: string; protobuf?: Buffer } | undefined;
  const v2Document = () => {
    const gvs = opts.table.groupVersions();
    if (v2?.gvs !== gvs) v2 = { gvs, text: JSON.stringify(openAPIv2Document(gvs, opts.gitVersion)) };
    return v2;
  };
  app.get('/openapi/v2', async (req, reply) => {
    const doc = v2Document();
    if (/protobuf/.test(String(req.headers.accept ?? ''))) {
      doc.protobuf ??= openAPIv2Protobuf(JSON.parse(doc.text) as Parameters<typeof openAPIv2Protobuf>[0]);
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
