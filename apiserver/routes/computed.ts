// get and list of the kinds the apiserver makes at each request instead of storing them
// (KindModule.computed: ComponentStatus). Selectors work as on stored kinds; the objects carry
// no resourceVersion, nor do their lists (there is no history to watch), as in Kubernetes.
import type { FastifyReply } from 'fastify';
import { checkFieldSelector, fieldsMatch, selectableFields, supportedFields } from '../../api/fields.js';
import { matches } from '../../api/labels.js';
import { methodNotAllowed, notFound } from '../../api/status.js';
import { listBody } from '../http/render.js';
import { bool, selectors, validateListOptions, type Query } from '../http/params.js';
import { CachedObject } from '../storage/cached-object.js';
import { addWarnings, requireVerb, sendChunks, sendObject, type Answer, type ComputedObjects } from './context.js';

export async function serveComputed(ctx: Answer, method: string, q: Query, name: string | undefined, statuses: ComputedObjects): Promise<FastifyReply> {
  if (method !== 'GET') throw methodNotAllowed();
  const warning = ctx.r.module.computed?.warning;
  const warnings = warning ? [warning] : [];
  if (name !== undefined) {
    requireVerb(ctx.r, 'get');
    const obj = await statuses.get(name);
    if (!obj) throw notFound(ctx.r.plural, ctx.r.group, name);
    return sendObject(ctx, 200, new CachedObject(name, 0, obj), warnings);
  }
  const watch = bool(q, 'watch');
  validateListOptions(q, watch);
  if (watch) requireVerb(ctx.r, 'watch');
  requireVerb(ctx.r, 'list');
  const sel = selectors(q);
  checkFieldSelector(ctx.r.storage, sel.fields, supportedFields(ctx.r.storage, ctx.r.namespaced, ctx.r.module));
  const items = (await statuses.list())
    .filter((o) => matches(sel.labels, o.metadata.labels) && fieldsMatch(sel.fields, selectableFields(ctx.r.storage, o, ctx.r.module)))
    .map((o) => new CachedObject(o.metadata.name!, 0, o));
  addWarnings(ctx, warnings);
  return sendChunks(ctx, 200, listBody(ctx.r, items, {}, ctx.render));
}
