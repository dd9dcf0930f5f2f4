// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas, read and
// written (PUT or any patch type) without touching the rest of the object.
import type { FastifyReply } from 'fastify';
import { clone } from '../../../api/codec/values.js';
import { fromLabelSelector, labelSelectorToString, selectorToString } from '../../../api/labels.js';
import { badRequest, methodNotAllowed } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { FieldErrors } from '../../../api/validation/field-errors.js';
import { checkEnvelope, checkFields, type BodyTarget } from '../../http/admit.js';
import { decodeObjectBody, decodePatchBody } from '../../http/body.js';
import { dryRun, fieldValidation } from '../../http/params.js';
import type { CachedObject } from '../../storage/cached-object.js';
import { applyPatchDocument, checkPinned, isObj, send, type Ctx } from '../context.js';

export function toScale(obj: KubeObject): KubeObject {
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

export async function scale(ctx: Ctx): Promise<FastifyReply> {
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

