// The generic verbs every resource has: get, list (and watch), create, update, patch, delete
// and deletecollection, with Kubernetes' semantics; nothing here is particular to a kind.
import type { FastifyReply } from 'fastify';
import { asText, clone } from '../../api/codec/values.js';
import { fromStorageAsync, toStorageAsync } from '../../api/conversion.js';
import { servedObjects } from '../http/served-version.js';
import { applyConfiguration, type Writer } from '../../api/managed-fields/managed-fields.js';
import { shapeOfKind } from '../../api/managed-fields/shapes.js';
import { checkFieldSelector, supportedFields } from '../../api/fields.js';
import { badRequest, methodNotAllowed, StatusError, unsupportedPatchType } from '../../api/status.js';
import type { DeleteOptions, KubeObject, Unstructured } from '../../api/types/meta.js';
import { admit, applyNamespace, checkEnvelope, checkFields, checkPatchedFields, targetOf } from '../http/admit.js';
import { decodeObjectBody, decodeOptionalBody, decodePatchBody } from '../http/body.js';
import {
  bool,
  dryRun,
  fieldManager,
  fieldValidation,
  int,
  one,
  selectors,
  timeoutSeconds,
  validateListOptions,
  validatePatchOptions,
} from '../http/params.js';
import { listBody } from '../http/render.js';
import { serveWatch } from '../http/watch.js';
import { requestUser } from '../http/request-gate.js';
import { review } from '../authz/reviews.js';
import type { CachedObject } from '../storage/cached-object.js';
import type { AdmissionRequest } from '../admission/admission.js';
import { annotator, noteObjectName } from '../audit/notes.js';
import { nowTimestamp } from '../registry/names.js';
import { recordsSubresource } from '../registry/store.js';
import { applyPatchDocument, checkPinned, deleteDryRun, deleteOptions, isObj, requireResourceVersion, requireVerb, send, sendChunks, sendObject, trackingOf, type Ctx } from './context.js';
import { bind } from './subresources/binding.js';
import { appliedVersionViews } from '../registry/version-views.js';


export async function get(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'get');
  const { namespace, name } = ctx.path;
  const rv = one(ctx.q, 'resourceVersion');
  let o: CachedObject | undefined;
  if (rv === '0') o = ctx.store.getCached(namespace, name!);
  o ??= await ctx.store.get(namespace, name!);
  return sendObject(ctx, 200, o);
}

export async function list(ctx: Ctx): Promise<FastifyReply> {
  const watch = bool(ctx.q, 'watch');
  validateListOptions(ctx.q, watch);
  const sel = selectors(ctx.q);
  checkFieldSelector(ctx.store.info.storage, sel.fields, supportedFields(ctx.store.info.storage, ctx.r.namespaced, ctx.store.info.module));
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
  return sendChunks(ctx, 200, listBody(ctx.r, await servedObjects(ctx.r, result.items), meta, ctx.render));
}


export async function create(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'create');
  const custom = ctx.r.module.custom;
  if (custom && ctx.options.registry.table.terminating.has(custom.crdName)) {
    throw methodNotAllowed(`create not allowed while custom resource definition is terminating`);
  }
  const tracking = trackingOf(ctx, fieldManager(ctx.q, 'CreateOptions'));
  const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer, ctx.r.kind);
  const { obj, warnings } = await admit(ctx.r, body, ctx.path.namespace, fieldValidation(ctx.q));
  if (ctx.r.kind === 'Binding') return bind(ctx, obj.metadata.name ?? '', obj);
  if (ctx.r.module.recordsRequester) {
    const u = requestUser(ctx.req.raw);
    obj.spec = { ...(obj.spec ?? {}), username: u.name, uid: u.uid ?? '', groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
    if (!u.uid) delete obj.spec.uid;
  }
  if (ctx.r.module.review) {
    const answered = await review(ctx.r.kind, obj, requestUser(ctx.req.raw), ctx.path.namespace, ctx.options.reviews);
    return send(ctx, 201, JSON.stringify(answered), warnings);
  }
  const owned = ctx.store.recordCreate(obj, tracking);
  noteObjectName(ctx.req.raw, obj.metadata.name);
  const admitted = await ctx.options.admission.admit(ctx.r, obj, requestUser(ctx.req.raw), admissionRequest(ctx, 'CreateOptions'));
  const created = await ctx.store.create(obj, dryRun(ctx.q), owned);
  noteObjectName(ctx.req.raw, created.obj.metadata.name);
  return sendObject(ctx, 201, created, [...warnings, ...admitted]);
}

/** What admission is told of this request besides the object. */
export function admissionRequest(ctx: Ctx, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions', subresource?: string): AdmissionRequest {
  const manager = typeof ctx.q.fieldManager === 'string' ? { fieldManager: ctx.q.fieldManager } : {};
  return {
    dryRun: dryRun(ctx.q),
    subresource,
    options: { kind: optionsKind, apiVersion: 'meta.k8s.io/v1', ...(dryRun(ctx.q) ? { dryRun: ['All'] } : {}), ...manager },
    annotate: annotator(ctx.req.raw),
  };
}

/** Admission of an update: webhooks for the object and any subresource; the built-in checks for the object and pods/ephemeralcontainers (what a pod runs). */
function admittedUpdate(ctx: Ctx, subresource: string | undefined, next: KubeObject, current: KubeObject, optionsKind: 'UpdateOptions' | 'PatchOptions' = 'UpdateOptions'): Promise<string[]> {
  return ctx.options.admission.admitUpdate(ctx.r, next, current, requestUser(ctx.req.raw), admissionRequest(ctx, optionsKind, subresource));
}

export async function update(ctx: Ctx, subresource?: 'status' | 'finalize' | 'approval' | 'ephemeralcontainers'): Promise<FastifyReply> {
  requireVerb(ctx.r, 'update');
  const tracking = trackingOf(ctx, fieldManager(ctx.q, 'UpdateOptions'));
  const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer, ctx.r.kind);
  const { obj, warnings } = await admit(ctx.r, body, ctx.path.namespace, fieldValidation(ctx.q));
  if (obj.metadata.name !== undefined && obj.metadata.name !== ctx.path.name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${ctx.path.name})`);
  }
  obj.metadata.name = ctx.path.name;
  const pinned = obj.metadata.resourceVersion;
  // Set by the last attempt of the write (a conflict retries it).
  let admitted: string[] = [];
  const { object, created } = await ctx.store.update(ctx.path.namespace, ctx.path.name!, {
    dryRun: dryRun(ctx.q),
    tracking,
    subresource,
    mutate: async (current) => {
      requireResourceVersion(ctx, pinned);
      checkPinned(ctx, pinned, current);
      const next = clone(obj);
      admitted = await admittedUpdate(ctx, subresource, next, current);
      return next;
    },
    createFrom: async () => {
      const fresh = clone(obj);
      admitted = await ctx.options.admission.admit(ctx.r, fresh, requestUser(ctx.req.raw), admissionRequest(ctx, 'CreateOptions'));
      return fresh;
    },
  });
  return sendObject(ctx, created ? 201 : 200, object, [...warnings, ...admitted]);
}

export async function patch(ctx: Ctx, subresource?: 'status' | 'approval' | 'ephemeralcontainers'): Promise<FastifyReply> {
  requireVerb(ctx.r, 'patch');
  const { type, patch: doc } = decodePatchBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
  // Custom resources have no patch strategies to merge by, as in Kubernetes.
  if (type === 'strategic' && ctx.r.module.custom) throw unsupportedPatchType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  const manager = fieldManager(ctx.q, 'PatchOptions');
  validatePatchOptions(ctx.q, type === 'apply');
  const tracking = trackingOf(ctx, manager);
  const shape = shapeOfKind(ctx.r.module);
  const force = type === 'apply' && bool(ctx.q, 'force');
  const writer = (): Writer => ({ manager: tracking.manager, apiVersion: tracking.apiVersion, ...(recordsSubresource(subresource) ? { subresource } : {}), now: nowTimestamp() });
  const validation = fieldValidation(ctx.q);
  const target = targetOf(ctx.r);
  const isDryRun = dryRun(ctx.q);
  let warnings: string[] = [];
  let admitted: string[] = [];
  // An applied configuration owns only fields the kind has: unknown ones are dropped (and
  // reported) before anything is merged or recorded.
  let config: KubeObject | undefined;
  if (type === 'apply') {
    if (!manager) {
      throw new StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        kind: 'PatchOptions',
        group: 'meta.k8s.io',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      });
    }
    checkEnvelope(target, doc as Record<string, any>);
    // Types first: a name that is not a string is a decoding error, not another name.
    config = clone(doc as KubeObject);
    warnings = checkFields(target, config, validation, ctx.r.module);
    if (config.metadata?.name && config.metadata.name !== ctx.path.name) {
      throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${ctx.path.name})`);
    }
    // Server-side apply of an object that does not exist yet creates it.
    const existing = await ctx.store.get(ctx.path.namespace, ctx.path.name!).catch((err) => {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    });
    if (!existing && !subresource) {
      const body = clone(config);
      body.metadata = { ...body.metadata, name: ctx.path.name };
      const { obj } = await admit(ctx.r, body, ctx.path.namespace, validation);
      // The applier owns exactly what it sent.
      obj.metadata.managedFields = applyConfiguration(undefined, body as KubeObject, shape, ctx.store.strategy.hasStatus, writer(), force).managedFields;
      admitted = await ctx.options.admission.admit(ctx.r, obj, requestUser(ctx.req.raw), admissionRequest(ctx, 'CreateOptions'));
      return sendObject(ctx, 201, await ctx.store.create(obj, isDryRun, { ...tracking, applied: true }), [...warnings, ...admitted]);
    }
  }
  const pinned = isObj(doc) ? (doc as Unstructured).metadata?.resourceVersion : undefined;
  const { object } = await ctx.store.update(ctx.path.namespace, ctx.path.name!, {
    dryRun: isDryRun,
    subresource,
    tracking: { ...tracking, applied: type === 'apply' },
    mutate: async (current) => {
      checkPinned(ctx, pinned, current);
      const [served] = await fromStorageAsync(ctx.r, [current]);
      let managedFields: unknown;
      let result: unknown;
      if (type === 'apply') {
        // Server-side apply: merged by the kind's shape, with ownership, conflicts and removal.
        const applied = applyConfiguration(served, config!, shape, ctx.store.strategy.hasStatus, writer(), force, appliedVersionViews(ctx.r, ctx.store, tracking.apiVersion));
        result = applied.object;
        managedFields = applied.managedFields;
      } else {
        result = applyPatchDocument(type, target, served, doc);
      }
      if (!isObj(result)) throw badRequest('the patch did not produce an object');
      if (config) {
        // An applied object is checked as a body (its configuration's warnings were given above).
        checkEnvelope(target, result);
        checkFields(target, result, validation, ctx.r.module);
      } else {
        // A patched object that does not decode is the patch's fault (422).
        warnings = checkPatchedFields(target, result, validation, { type, doc }, ctx.r.module);
        checkEnvelope(target, result);
      }
      requireResourceVersion(ctx, result.metadata?.resourceVersion);
      checkPinned(ctx, result.metadata?.resourceVersion, current);
      // A patch may not rename the object (Kubernetes' checkName).
      const patchedName = result.metadata?.name;
      if (patchedName !== undefined && patchedName !== ctx.path.name) {
        throw badRequest(`the name of the object (${asText(patchedName)}) does not match the name on the URL (${ctx.path.name})`);
      }
      const stored = await toStorageAsync(ctx.r, result as KubeObject);
      applyNamespace(ctx.r, stored, ctx.path.namespace);
      if (managedFields !== undefined) stored.metadata.managedFields = managedFields as unknown[];
      admitted = await admittedUpdate(ctx, subresource, stored, current, 'PatchOptions');
      return stored;
    },
  });
  return sendObject(ctx, 200, object, [...warnings, ...admitted]);
}

/** Admission of a deletion, once the object being deleted is read. */
function admitDeletion(ctx: Ctx, options: DeleteOptions): (current: KubeObject) => Promise<void> {
  return (current) =>
    ctx.options.admission.admitDelete(ctx.r, current, requestUser(ctx.req.raw), {
      ...admissionRequest(ctx, 'DeleteOptions'),
      dryRun: deleteDryRun(ctx.q, options),
      options: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', ...options },
    });
}

export async function remove(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'delete');
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined);
  const options = deleteOptions(ctx.q, body);
  ctx.options.admission.validateDelete(ctx.r, ctx.path.name!);
  const result = await ctx.store.delete(ctx.path.namespace, ctx.path.name!, options, deleteDryRun(ctx.q, options), admitDeletion(ctx, options));
  // Kubernetes answers 202 for a delete still pending only when the client asked for cascading
  // with the old orphanDependents=false; every other answer is 200 (graceful deletion too).
  const accepted = result.pending && options.orphanDependents === false;
  if (result.pending || ctx.store.strategy.returnDeletedObject) return sendObject(ctx, accepted ? 202 : 200, result.object);
  return send(ctx, 200, JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: ctx.path.name, group: ctx.r.group || undefined, kind: ctx.r.plural, uid: result.object.obj.metadata.uid },
  }));
}

export async function removeCollection(ctx: Ctx): Promise<FastifyReply> {
  requireVerb(ctx.r, 'deletecollection');
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined);
  const options = deleteOptions(ctx.q, body);
  const sel = selectors(ctx.q);
  checkFieldSelector(ctx.store.info.storage, sel.fields, supportedFields(ctx.store.info.storage, ctx.r.namespaced, ctx.store.info.module));
  const { items, revision } = await ctx.store.list({ namespace: ctx.path.namespace, ...sel });
  const deleted: CachedObject[] = [];
  for (const item of items) {
    try {
      ctx.options.admission.validateDelete(ctx.r, item.name);
      deleted.push((await ctx.store.delete(item.namespace || undefined, item.name, options, deleteDryRun(ctx.q, options), admitDeletion(ctx, options))).object);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
  return sendChunks(ctx, 200, listBody(ctx.r, await servedObjects(ctx.r, deleted), { resourceVersion: String(revision) }, ctx.render));
}
