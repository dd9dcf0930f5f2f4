// Routes every resource URL (`/api/v1/...`, `/apis/<group>/<version>/...`) to the generic
// verbs (verbs.ts) or a subresource's handler (subresources.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, methodNotAllowed, noSuchRoute } from '../../api/status.js';
import { negotiate } from '../http/negotiation.js';
import { includeObject, one, type Query } from '../http/params.js';
import { decodedPath, resolveResourcePath } from '../http/path.js';
import type { Ctx, ResourceRoutesOptions } from './context.js';
import { serveComputed } from './computed.js';
import { subresource } from './subresources.js';
import { create, get, list, patch, remove, removeCollection, update } from './verbs.js';

export type { ResourceRoutesOptions };

async function dispatch(ctx: Ctx): Promise<FastifyReply> {
  const { name, subresource: sub } = ctx.path;
  const method = ctx.req.method;
  if (sub) return subresource(ctx);
  if (name) {
    if (method === 'GET') return get(ctx);
    if (method === 'PUT') return update(ctx);
    if (method === 'PATCH') return patch(ctx);
    if (method === 'DELETE') return remove(ctx);
    throw methodNotAllowed();
  }
  if (method === 'GET') return list(ctx);
  if (method === 'POST') {
    if (ctx.r.namespaced && !ctx.path.namespace) throw methodNotAllowed();
    return create(ctx);
  }
  if (method === 'DELETE') return removeCollection(ctx);
  throw methodNotAllowed();
}

/** The path without its `watch` segment, when it is a watch path. */
function watchPrefixed(path: string): string | undefined {
  // Every request passes here: most never name a watch path, and need not be split.
  if (!path.includes('/watch')) return undefined;
  const parts = path.split('/');
  const at = parts[1] === 'api' ? 3 : parts[1] === 'apis' ? 4 : -1;
  if (at < 0 || parts[at] !== 'watch' || parts.length <= at + 1) return undefined;
  return [...parts.slice(0, at), ...parts.slice(at + 1)].join('/');
}

function watchQuery(q: Query, name: string | undefined): Query {
  const out: Query = { ...q, watch: 'true' };
  if (name === undefined) return out;
  const selector = one(q, 'fieldSelector') ?? '';
  if (selector.trim() === '') return { ...out, fieldSelector: `metadata.name=${name}` };
  // A field selector given beside the name must ask for exactly that name.
  const terms = selector.split(',').map((t) => t.trim());
  if (!terms.some((t) => t === `metadata.name=${name}` || t === `metadata.name==${name}`)) throw badRequest("fieldSelector metadata.name doesn't match requested name");
  return out;
}

export async function resourceRoutes(app: FastifyInstance, options: ResourceRoutesOptions): Promise<void> {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    // The raw URL, decoded once here: fastify's own parameters are already decoded.
    let decoded = decodedPath(req.raw.url ?? req.url);
    let q = req.query as Query;
    // The deprecated watch paths (/api/v1/watch/namespaces/ns/pods[/name]): a watch of the
    // collection, of one object by a field selector on its name.
    const watched = watchPrefixed(decoded);
    if (watched) {
      if (req.method !== 'GET') throw methodNotAllowed();
      decoded = watched;
    }
    let path = resolveResourcePath(decoded, options.registry.table);
    if (watched && path) {
      if (path.subresource) throw noSuchRoute();
      q = watchQuery(q, path.name);
      path = { ...path, name: undefined };
    }
    if (!path) {
      // A group version another server serves (a service-backed APIService): relay it there.
      const [, apis, group, version] = decoded.split('/');
      const backend = apis === 'apis' && group && version ? options.aggregator.backendFor(group, version) : undefined;
      if (backend) return options.aggregator.proxy(req, reply, backend);
      throw noSuchRoute();
    }
    const output = negotiate(req.headers.accept);
    if (path.resource.module.computed) {
      const source = options.computed.get(path.resource.storage);
      if (path.subresource || !source) throw noSuchRoute();
      const answer = { reply, output, r: path.resource, render: { output, includeObject: includeObject(q), now: Date.now() } };
      return serveComputed(answer, req.method, q, path.name, source);
    }
    const ctx: Ctx = {
      options,
      req,
      reply,
      path,
      r: path.resource,
      store: options.registry.storeFor(path.resource),
      q,
      output,
      render: { output, includeObject: includeObject(q), now: Date.now() },
    };
    return dispatch(ctx);
  };
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  app.route({ method: [...methods], url: '/api/:version/*', handler });
  app.route({ method: [...methods], url: '/apis/:group/:version/*', handler });
}
