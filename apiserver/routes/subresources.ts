// Subresources: each one a handler of its own (status and finalize are the generic update and
// patch, restricted by the kind's strategy; scale, binding, eviction, log and exec below).
import type { FastifyReply } from 'fastify';
import { badRequest, methodNotAllowed, noSuchRoute } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { checkEnvelope } from '../http/admit.js';
import { decodeObjectBody } from '../http/body.js';
import { sendObject, type Ctx } from './context.js';
import { proxyLogs } from './pod-proxy.js';
import { bind } from './subresources/binding.js';
import { csrApproval, csrStatus } from './subresources/csr.js';
import { evict } from './subresources/eviction.js';
import { proxy } from './subresources/proxy.js';
import { scale } from './subresources/scale.js';
import { requestToken } from './subresources/token.js';
import { patch, update } from './verbs.js';

export async function subresource(ctx: Ctx): Promise<FastifyReply> {
  const sub = ctx.path.subresource!;
  const info = ctx.r.subresources.find((s) => s.name === sub);
  // A subresource the kind lacks has no route in Kubernetes: the generic 404, as for any unknown path.
  if (!info) throw noSuchRoute();
  const method = ctx.req.method;
  // Every method is relayed (a HEAD too), each authorized as its own verb.
  if (sub === 'proxy') return proxy(ctx, ctx.options.proxies);
  const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'POST' ? 'create' : 'delete';
  if (!info.verbs.includes(verb)) throw methodNotAllowed();
  switch (sub) {
    case 'status':
      if (method === 'GET') return sendObject(ctx, 200, await ctx.store.get(ctx.path.namespace, ctx.path.name!));
      if (ctx.r.kind === 'CertificateSigningRequest') return csrStatus(ctx);
      return method === 'PUT' ? update(ctx, 'status') : patch(ctx, 'status');
    case 'approval':
      if (method === 'GET') return sendObject(ctx, 200, await ctx.store.get(ctx.path.namespace, ctx.path.name!));
      return csrApproval(ctx);
    case 'finalize':
      return update(ctx, 'finalize');
    case 'ephemeralcontainers':
      if (method === 'GET') return sendObject(ctx, 200, await ctx.store.get(ctx.path.namespace, ctx.path.name!));
      return method === 'PUT' ? update(ctx, 'ephemeralcontainers') : patch(ctx, 'ephemeralcontainers');
    case 'scale':
      return scale(ctx);
    case 'binding': {
      const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
      checkEnvelope({ apiVersion: 'v1', kind: 'Binding' }, body);
      return bind(ctx, ctx.path.name!, body as KubeObject);
    }
    case 'eviction':
      return evict(ctx);
    case 'token':
      return requestToken(ctx);
    case 'log':
      return proxyLogs(ctx.options.registry, ctx.options.kubelets, ctx.path.namespace!, ctx.path.name!, ctx.q, ctx.reply);
    case 'exec':
    case 'attach':
    case 'portforward':
      // Reached only without an Upgrade header (upgrades are relayed before routing).
      throw badRequest(`Upgrade request required`);
    default:
      throw noSuchRoute();
  }
}

