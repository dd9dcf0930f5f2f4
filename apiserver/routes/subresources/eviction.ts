// pods/eviction: a delete that respects DeleteOptions sent inside an Eviction.
import type { FastifyReply } from 'fastify';
import { badRequest } from '../../../api/status.js';
import { decodeOptionalBody } from '../../http/body.js';
import { dryRun } from '../../http/params.js';
import { deleteOptions, send, type Ctx } from '../context.js';

export async function evict(ctx: Ctx): Promise<FastifyReply> {
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined) ?? {};
  if (body.metadata?.name && body.metadata.name !== ctx.path.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  await ctx.store.delete(ctx.path.namespace, ctx.path.name!, deleteOptions(ctx.q, body.deleteOptions), dryRun(ctx.q));
  return send(ctx, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
}

