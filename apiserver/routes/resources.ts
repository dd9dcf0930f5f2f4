// The REST verbs on every resource in the table: get, list, watch, create, update, patch,
// delete, deletecollection, and the subresources (status, scale, binding, eviction, finalize).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toYAML } from '../../api/codec/yaml.js';
import { asText, clone } from '../../api/codec/values.js';
import { fromStorage, toStorage } from '../../api/conversion.js';
import { checkFieldSelector, supportedFields } from '../../api/fields.js';
import { applyJsonPatch } from '../../api/patch/json-patch.js';
import { applyMergePatch } from '../../api/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../api/patch/strategic-merge.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { schemaFor } from '../../api/schema/kinds.js';
import { badRequest, conflict, methodNotAllowed, notFound, OBJECT_MODIFIED, StatusError } from '../../api/status.js';
import type { DeleteOptions, KubeObject } from '../../api/types/meta.js';
import { FieldErrors } from '../../api/validation/field-errors.js';
import { admit, applyNamespace, checkEnvelope, checkFields, targetOf, type BodyTarget } from '../http/admit.js';
import { decodeObjectBody, decodeOptionalBody, decodePatchBody } from '../http/body.js';
import { negotiate, type Output } from '../http/negotiation.js';
import {
  bool,
  dryRun,
  fieldManager,
  fieldValidation,
  includeObject,
  int,
  one,
  selectors,
  timeoutSeconds,
  validateListOptions,
  validatePatchOptions,
  type Query,
} from '../http/params.js';
import { decodedPath, resolveResourcePath, type ResourcePath } from '../http/path.js';
import { renderList, renderObject, type RenderOptions } from '../http/render.js';
import { serveWatch } from '../http/watch.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import { CachedObject } from '../storage/cached-object.js';
import { nowTimestamp } from '../registry/names.js';
import { proxyLogs } from './pod-proxy.js';
import { toScale } from './scale.js';

export interface ResourceRoutesOptions {
  registry: Registry;
  bookmarkIntervalMs: number;
  shutdown: AbortSignal;
}

interface Ctx {
  options: ResourceRoutesOptions;
  req: FastifyRequest;
  reply: FastifyReply;
  path: ResourcePath;
  r: ResourceInfo;
  store: ResourceStore;
  q: Query;
  output: Output;
  render: RenderOptions;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

function send(ctx: Ctx, code: number, body: string, warnings: string[] = []): FastifyReply {
  if (warnings.length) ctx.reply.header('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  if (ctx.output.yaml) return ctx.reply.code(code).type('application/yaml').send(toYAML(JSON.parse(body)));
  return ctx.reply.code(code).type('application/json').send(body);
}

function sendObject(ctx: Ctx, code: number, o: CachedObject, warnings: string[] = []): FastifyReply {
  return send(ctx, code, renderObject(ctx.r, o, ctx.render), warnings);
}

function requireVerb(r: ResourceInfo, verb: string): void {
  if (!(r.verbs as readonly string[]).includes(verb)) throw methodNotAllowed();
}

function deleteOptions(q: Query, body: Record<string, any> | undefined): DeleteOptions {
  const opts: DeleteOptions = { ...(body ?? {}) };
  delete (opts as Record<string, unknown>).kind;
  delete (opts as Record<string, unknown>).apiVersion;
  const grace = int(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = one(q, 'propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (one(q, 'orphanDependents') !== undefined) opts.orphanDependents = bool(q, 'orphanDependents');
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    const errs = new FieldErrors();
    errs.notSupported('propagationPolicy', opts.propagationPolicy, ['Foreground', 'Background', 'Orphan']);
    errs.throwIfAny('DeleteOptions', 'meta.k8s.io', '');
  }
  if (opts.gracePeriodSeconds !== undefined && (typeof opts.gracePeriodSeconds !== 'number' || !Number.isInteger(opts.gracePeriodSeconds))) {
    throw badRequest('gracePeriodSeconds must be an integer');
  }
  return opts;
}

// ---------------------------------------------------------------- read verbs

async function get(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'get');
  const { namespace, name } = ctx.path;
  const rv = one(ctx.q, 'resourceVersion');
  let o: CachedObject | undefined;
  if (rv === '0') o = ctx.store.getCached(namespace, name!);
  o ??= await ctx.store.get(namespace, name!);
  return sendObject(ctx, 200, o);
}

async function list(ctx: Ctx): Promise<FastifyReply> {
  const watch = bool(ctx.q, 'watch');
  validateListOptions(ctx.q, watch);
  const sel = selectors(ctx.q);
  checkFieldSelector(ctx.store.info.storage, sel.fields, supportedFields(ctx.store.info.storage, ctx.r.namespaced));
  if (watch) {
    requireVerb(ctx.r, 'watch');
    const sendInitial = one(ctx.q, 'sendInitialEvents');
    await serveWatch(ctx.req, ctx.reply, ctx.r, ctx.store, {
      namespace: ctx.path.namespace,
      selectors: sel,
      resourceVersion: one(ctx.q, 'resourceVersion') ?? '',
      timeoutSeconds: timeoutSeconds(ctx.q),
      allowBookmarks: bool(ctx.q, 'allowWatchBookmarks'),
      sendInitialEvents: sendInitial === undefined ? undefined : bool(ctx.q, 'sendInitialEvents'),
      output: ctx.output,
      includeObject: ctx.render.includeObject,
      bookmarkIntervalMs: ctx.options.bookmarkIntervalMs,
      shutdown: ctx.options.shutdown,
    });
    return ctx.reply;
  }
  requireVerb(ctx.r, 'list');
  const limit = int(ctx.q, 'limit');
  const result = await ctx.store.list({
    namespace: ctx.path.namespace,
    ...sel,
    limit: limit && limit > 0 ? limit : undefined,
    continue: one(ctx.q, 'continue') || undefined,
    resourceVersion: one(ctx.q, 'resourceVersion'),
    resourceVersionMatch: one(ctx.q, 'resourceVersionMatch'),
  });
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(result.revision) };
  if (result.continue) meta.continue = result.continue;
  if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
  return send(ctx, 200, renderList(ctx.r, result.items, meta, ctx.render));
}

// ---------------------------------------------------------------- write verbs

async function create(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'create');
  fieldManager(ctx.q, 'CreateOptions');
  const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
  const { obj, warnings } = admit(ctx.r, body, ctx.path.namespace, fieldValidation(ctx.q));
  if (ctx.r.kind === 'Binding') return bind(ctx, obj.metadata.name ?? '', obj);
  const created = await ctx.store.create(obj, dryRun(ctx.q));
  return sendObject(ctx, 201, created, warnings);
}

/** A pinned resourceVersion that no longer matches the stored one is a conflict, never retried. */
function checkPinned(ctx: Ctx, pinned: unknown, current: KubeObject): void {
  if (pinned !== undefined && pinned !== '' && pinned !== current.metadata.resourceVersion) {
    throw conflict(ctx.r.plural, ctx.r.group, ctx.path.name!, OBJECT_MODIFIED);
  }
}

async function update(ctx: Ctx, subresource?: 'status' | 'finalize'): Promise<FastifyReply> {
  requireVerb(ctx.r, 'update');
  fieldManager(ctx.q, 'UpdateOptions');
  const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
  const { obj, warnings } = admit(ctx.r, body, ctx.path.namespace, fieldValidation(ctx.q));
  if (obj.metadata.name !== undefined && obj.metadata.name !== ctx.path.name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${ctx.path.name})`);
  }
  obj.metadata.name = ctx.path.name;
  const pinned = obj.metadata.resourceVersion;
  const { object, created } = await ctx.store.update(ctx.path.namespace, ctx.path.name!, {
    dryRun: dryRun(ctx.q),
    subresource,
    mutate: (current) => {
      checkPinned(ctx, pinned, current);
      return clone(obj);
    },
    createFrom: () => clone(obj),
  });
  return sendObject(ctx, created ? 201 : 200, object, warnings);
}

function applyPatchDocument(type: string, target: BodyTarget, current: KubeObject, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, patch);
    default:
      return applyStrategicMergePatch(current, patch, schemaFor(target.apiVersion, target.kind));
  }
}

async function patch(ctx: Ctx, subresource?: 'status'): Promise<FastifyReply> {
  requireVerb(ctx.r, 'patch');
  const { type, patch: doc } = decodePatchBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
  const manager = fieldManager(ctx.q, 'PatchOptions');
  validatePatchOptions(ctx.q, type === 'apply');
  const validation = fieldValidation(ctx.q);
  const target = targetOf(ctx.r);
  const isDryRun = dryRun(ctx.q);
  if (type === 'apply') {
    if (!manager) {
      throw new StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        kind: 'PatchOptions',
        group: 'meta.k8s.io',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      });
    }
    checkEnvelope(target, doc as Record<string, any>);
    const applied = doc as Record<string, any>;
    if (applied.metadata?.name && applied.metadata.name !== ctx.path.name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${ctx.path.name})`);
    }
    // Server-side apply of an object that does not exist yet creates it.
    const existing = await ctx.store.get(ctx.path.namespace, ctx.path.name!).catch((err) => {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    });
    if (!existing && !subresource) {
      const body = clone(applied);
      body.metadata = { ...body.metadata, name: ctx.path.name };
      const { obj, warnings } = admit(ctx.r, body, ctx.path.namespace, validation);
      return sendObject(ctx, 201, await ctx.store.create(obj, isDryRun), warnings);
    }
  }
  let warnings: string[] = [];
  const pinned = isObj(doc) ? (doc as any).metadata?.resourceVersion : undefined;
  const { object } = await ctx.store.update(ctx.path.namespace, ctx.path.name!, {
    dryRun: isDryRun,
    subresource,
    mutate: (current) => {
      checkPinned(ctx, pinned, current);
      const served = fromStorage(ctx.r, current);
      const result = applyPatchDocument(type, target, served, doc);
      if (!isObj(result)) throw badRequest('the patch did not produce an object');
      checkEnvelope(target, result);
      warnings = checkFields(target, result, validation);
      if (result.metadata?.resourceVersion !== undefined && result.metadata.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(ctx.r.plural, ctx.r.group, ctx.path.name!, OBJECT_MODIFIED);
      }
      // A patch may not rename the object (Kubernetes' checkName).
      const patchedName = result.metadata?.name;
      if (patchedName !== undefined && patchedName !== ctx.path.name) {
        throw badRequest(`the name of the object (${asText(patchedName)}) does not match the name on the URL (${ctx.path.name})`);
      }
      const stored = toStorage(ctx.r, result as KubeObject);
      applyNamespace(ctx.r, stored, ctx.path.namespace);
      return stored;
    },
  });
  return sendObject(ctx, 200, object, warnings);
}

async function remove(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'delete');
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined);
  const options = deleteOptions(ctx.q, body);
  const result = await ctx.store.delete(ctx.path.namespace, ctx.path.name!, options, dryRun(ctx.q));
  if (result.pending || ctx.store.strategy.returnDeletedObject) return sendObject(ctx, result.pending ? 202 : 200, result.object);
  return send(ctx, 200, JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: ctx.path.name, group: ctx.r.group || undefined, kind: ctx.r.plural, uid: result.object.obj.metadata.uid },
  }));
}

async function removeCollection(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'deletecollection');
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined);
  const options = deleteOptions(ctx.q, body);
  const sel = selectors(ctx.q);
  checkFieldSelector(ctx.store.info.storage, sel.fields, supportedFields(ctx.store.info.storage, ctx.r.namespaced));
  const { items, revision } = await ctx.store.list({ namespace: ctx.path.namespace, ...sel });
  const deleted: CachedObject[] = [];
  for (const item of items) {
    try {
      deleted.push((await ctx.store.delete(item.namespace || undefined, item.name, options, dryRun(ctx.q))).object);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
  return send(ctx, 200, renderList(ctx.r, deleted, { resourceVersion: String(revision) }, ctx.render));
}

// ---------------------------------------------------------------- subresources

async function bind(ctx: Ctx, podName: string, binding: KubeObject): Promise<FastifyReply> {
  const target = (binding as any).target ?? {};
  const errs = new FieldErrors();
  if (!target.name) errs.required('target.name');
  errs.throwIfAny('Binding', '', podName);
  const pods = ctx.options.registry.storeFor(findResource('', 'v1', 'pods')!);
  await pods.update(ctx.path.namespace, podName, {
    dryRun: dryRun(ctx.q),
    subresource: 'binding',
    mutate: (pod) => {
      if (pod.metadata.deletionTimestamp) throw conflict('pods', '', podName, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw conflict('pods', '', podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      const uid = binding.metadata.uid;
      if (uid && uid !== pod.metadata.uid) throw conflict('pods', '', podName, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
      pod.spec = { ...pod.spec, nodeName: target.name };
      const conditions = ((pod.status?.conditions ?? []) as Array<Record<string, unknown>>).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod;
    },
  });
  // Bindings are not stored; the answer is a Success Status, as in Kubernetes.
  return send(ctx, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
}

async function scale(ctx: Ctx): Promise<FastifyReply> {
  const method = ctx.req.method;
  const asScale = (o: CachedObject) => JSON.stringify(toScale(o.obj));
  if (method === 'GET') return send(ctx, 200, asScale(await ctx.store.get(ctx.path.namespace, ctx.path.name!)));
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed();
  const target: BodyTarget = { apiVersion: 'autoscaling/v1', kind: 'Scale' };
  const validation = fieldValidation(ctx.q);
  let warnings: string[] = [];
  const next = (current: KubeObject, body: Record<string, any>): KubeObject => {
    checkEnvelope(target, body);
    warnings = checkFields(target, body, validation);
    const replicas = body.spec?.replicas ?? 0;
    checkPinned(ctx, body.metadata?.resourceVersion, current);
    const errs = new FieldErrors();
    if (typeof replicas !== 'number' || replicas < 0) errs.invalid('spec.replicas', replicas, 'must be greater than or equal to 0');
    errs.throwIfAny('Scale', 'autoscaling', ctx.path.name!);
    current.spec = { ...(current.spec ?? {}), replicas };
    return current;
  };
  let mutate: (current: KubeObject) => KubeObject;
  if (method === 'PUT') {
    const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
    mutate = (current) => next(current, clone(body));
  } else {
    const { type, patch: doc } = decodePatchBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
    mutate = (current) => {
      const patched = applyPatchDocument(type, target, toScale(current), doc);
      if (!isObj(patched)) throw badRequest('the patch did not produce an object');
      return next(current, patched);
    };
  }
  const { object } = await ctx.store.update(ctx.path.namespace, ctx.path.name!, { dryRun: dryRun(ctx.q), mutate });
  return send(ctx, 200, asScale(object), warnings);
}

async function evict(ctx: Ctx): Promise<FastifyReply> {
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined) ?? {};
  if (body.metadata?.name && body.metadata.name !== ctx.path.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  await ctx.store.delete(ctx.path.namespace, ctx.path.name!, deleteOptions(ctx.q, body.deleteOptions), dryRun(ctx.q));
  return send(ctx, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
}

async function subresource(ctx: Ctx): Promise<FastifyReply> {
  const sub = ctx.path.subresource!;
  const info = ctx.r.subresources.find((s) => s.name === sub);
  if (!info) throw notFound(`${ctx.r.plural}/${sub}`, ctx.r.group, ctx.path.name!);
  const method = ctx.req.method;
  const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'POST' ? 'create' : 'delete';
  if (!info.verbs.includes(verb)) throw methodNotAllowed();
  switch (sub) {
    case 'status':
      if (method === 'GET') return sendObject(ctx, 200, await ctx.store.get(ctx.path.namespace, ctx.path.name!));
      return method === 'PUT' ? update(ctx, 'status') : patch(ctx, 'status');
    case 'finalize':
      return update(ctx, 'finalize');
    case 'scale':
      return scale(ctx);
    case 'binding': {
      const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
      checkEnvelope({ apiVersion: 'v1', kind: 'Binding' }, body);
      return bind(ctx, ctx.path.name!, body as KubeObject);
    }
    case 'eviction':
      return evict(ctx);
    case 'log':
      return proxyLogs(ctx.options.registry, ctx.path.namespace!, ctx.path.name!, ctx.q, ctx.reply);
    case 'exec':
    case 'attach':
    case 'portforward':
      // Reached only without an Upgrade header (upgrades are relayed before routing).
      throw badRequest(`Upgrade request required`);
    default:
      throw notFound(`${ctx.r.plural}/${sub}`, ctx.r.group, ctx.path.name!);
  }
}

// ---------------------------------------------------------------- dispatch

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

export async function resourceRoutes(app: FastifyInstance, options: ResourceRoutesOptions): Promise<void> {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    // The raw URL, decoded once here: fastify's own parameters are already decoded.
    const path = resolveResourcePath(decodedPath(req.raw.url ?? req.url));
    if (!path) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    const output = negotiate(req.headers.accept);
    const q = req.query as Query;
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
