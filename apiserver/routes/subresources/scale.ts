// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas, read and
// written (PUT or any patch type) without touching the rest of the object. Writes pass
// admission as Scales (webhooks and policies on <resource>/scale).
import type { FastifyReply } from 'fastify';
import { clone, isObject, own, setOwn } from '../../../api/codec/values.js';
import { fromStorageAsync, toStorageAsync } from '../../../api/conversion.js';
import type { KindModule } from '../../../api/kinds/kind.js';
import { fromLabelSelector, labelSelectorToString, selectorToString } from '../../../api/labels.js';
import { nameCol } from '../../../api/printers.js';
import { badRequest, methodNotAllowed } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { FieldErrors } from '../../../api/validation/field-errors.js';
import { checkEnvelope, checkFields, type BodyTarget } from '../../http/admit.js';
import { decodeObjectBody, decodePatchBody } from '../../http/body.js';
import { cellValue, columnDefinitions } from '../../http/render.js';
import { dryRun, fieldManager, fieldValidation } from '../../http/params.js';
import type { CachedObject } from '../../storage/cached-object.js';
import { requestUser } from '../../http/request-gate.js';
import { applyPatchDocument, checkPinned, isObj, send, trackingOf, type Ctx } from '../context.js';
import { admissionRequest } from '../verbs.js';

type ScalePaths = NonNullable<KindModule['scalePaths']>;

/** The value at a simple `.a.b` path (own properties only). */
function readPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const f of path.split('.').slice(1)) v = own(v, f);
  return v;
}

/** Sets the value at a simple `.a.b` path, making the objects on the way. */
function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const fields = path.split('.').slice(1);
  let o = obj;
  for (const f of fields.slice(0, -1)) {
    const next = own(o, f);
    if (!isObject(next)) setOwn(o, f, {});
    o = own(o, f) as Record<string, unknown>;
  }
  setOwn(o, fields[fields.length - 1]!, value);
}

/** A custom resource's Scale, read at the paths its definition names. */
function customScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  const selector = paths.labelSelectorPath ? readPath(obj, paths.labelSelectorPath) : undefined;
  const replicas = readPath(obj, paths.statusReplicasPath);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: Number(readPath(obj, paths.specReplicasPath) ?? 0) || 0 },
    status: { replicas: typeof replicas === 'number' ? replicas : 0, ...(typeof selector === 'string' && selector ? { selector } : {}) },
  };
}

export function toScale(obj: KubeObject, paths?: ScalePaths): KubeObject {
  if (paths) return customScale(obj, paths);
  const sel = obj.spec?.selector;
  // ReplicationControllers select with a plain map; the others with a LabelSelector.
  const selector = obj.kind === 'ReplicationController'
    ? selectorToString(fromLabelSelector({ matchLabels: sel ?? {} }))
    : labelSelectorToString(sel);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector },
  };
}

/** The columns `kubectl get <workload> --subresource=scale` shows, as Kubernetes' Scale printer has them. */
const SCALE_COLUMNS = [
  { name: 'Name', type: 'string', format: 'name', description: nameCol.description, priority: 0 },
  { name: 'Desired', type: 'integer', format: '', description: 'The number of instances the scaled object should have.', priority: 0 },
  { name: 'Available', type: 'integer', format: '', description: 'The number of instances of the scaled object observed.', priority: 0 },
];

/**
 * A Scale as the client asked for it: the object, its metadata only, or a one-row Table. The
 * Table is Kubernetes' Scale printer for built-in workloads; for a custom resource, as in
 * Kubernetes, the resource's own printer columns read from the Scale.
 */
function renderScale(ctx: Ctx, s: KubeObject, custom: boolean): string {
  const metaVersion = ctx.output.metaVersion;
  const partial = () => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: s.metadata });
  if (ctx.output.kind === 'metadata') return JSON.stringify(partial());
  if (ctx.output.kind !== 'table') return JSON.stringify(s);
  const include = ctx.render.includeObject;
  const cells = custom ? ctx.r.columns.map((c) => cellValue(c, s, ctx.render.now)) : [s.metadata.name ?? '', s.spec?.replicas ?? 0, s.status?.replicas ?? 0];
  const row = { cells, ...(include === 'Object' ? { object: s } : include === 'Metadata' ? { object: partial() } : {}) };
  const columns = custom ? columnDefinitions(ctx.r) : SCALE_COLUMNS;
  return JSON.stringify({ kind: 'Table', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: { resourceVersion: s.metadata.resourceVersion ?? '' }, columnDefinitions: columns, rows: [row] });
}

export async function scale(ctx: Ctx): Promise<FastifyReply> {
  const method = ctx.req.method;
  const paths = ctx.r.module.scalePaths;
  const asScale = async (o: CachedObject) => renderScale(ctx, toScale((await fromStorageAsync(ctx.r, [o.obj]))[0]!, paths), paths !== undefined);
  if (method === 'GET') return send(ctx, 200, await asScale(await ctx.store.get(ctx.path.namespace, ctx.path.name!)));
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed();
  const target: BodyTarget = { apiVersion: 'autoscaling/v1', kind: 'Scale' };
  const validation = fieldValidation(ctx.q);
  let warnings: string[] = [];
  const checkReplicas = (replicas: unknown) => {
    const errs = new FieldErrors();
    if (typeof replicas !== 'number' || replicas < 0) errs.invalid('spec.replicas', replicas, 'must be greater than or equal to 0');
    errs.throwIfAny('Scale', 'autoscaling', ctx.path.name!);
  };
  // The scale paths are the served version's: read and written there.
  const served = async (stored: KubeObject) => (await fromStorageAsync(ctx.r, [stored]))[0]!;
  const next = async (stored: KubeObject, body: Record<string, any>, current: KubeObject): Promise<KubeObject> => {
    checkEnvelope(target, body);
    warnings = checkFields(target, body, validation);
    checkPinned(ctx, body.metadata?.resourceVersion, current);
    checkReplicas(body.spec?.replicas ?? 0);
    // Admission sees Scales, as in Kubernetes: webhooks and policies on <resource>/scale (a
    // mutating webhook may change the replicas).
    const before = toScale(current, paths);
    const after: KubeObject = { ...clone(before), spec: { replicas: body.spec?.replicas ?? 0 } };
    warnings = [...warnings, ...(await ctx.options.admission.admitScale(ctx.r, after, before, requestUser(ctx.req.raw), admissionRequest(ctx, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions')))];
    const replicas = after.spec?.replicas;
    checkReplicas(replicas);
    if (paths) writePath(current, paths.specReplicasPath, replicas);
    else current.spec = { ...(current.spec ?? {}), replicas };
    return current === stored ? stored : await toStorageAsync(ctx.r, current);
  };
  let mutate: (current: KubeObject) => Promise<KubeObject>;
  if (method === 'PUT') {
    const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
    mutate = async (stored) => next(stored, clone(body), await served(stored));
  } else {
    const { type, patch: doc } = decodePatchBody(ctx.req.headers['content-type'], ctx.req.body as Buffer);
    mutate = async (stored) => {
      const current = await served(stored);
      const patched = applyPatchDocument(type, target, toScale(current, paths), doc);
      if (!isObj(patched)) throw badRequest('the patch did not produce an object');
      return next(stored, patched, current);
    };
  }
  const tracking = trackingOf(ctx, fieldManager(ctx.q, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions'), 'scale');
  const { object } = await ctx.store.update(ctx.path.namespace, ctx.path.name!, { dryRun: dryRun(ctx.q), mutate, tracking });
  return send(ctx, 200, await asScale(object), warnings);
}

