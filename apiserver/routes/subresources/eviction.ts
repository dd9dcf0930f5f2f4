// pods/eviction: a delete that honours PodDisruptionBudgets, as Kubernetes' eviction does.
// A finished pod, or one no budget covers, is deleted. A pod covered by one budget is deleted
// only when the budget allows a disruption: its status.disruptionsAllowed is taken down by one
// and the pod recorded in status.disruptedPods (a compare-and-swap, so concurrent evictions
// cannot both spend the last disruption), then the pod is deleted; otherwise 429 with the
// budget's numbers. An unready pod may go while the budget is met (IfHealthyBudget) or always
// (AlwaysAllow). More than one budget for a pod is an error, as in Kubernetes.
import type { FastifyReply } from 'fastify';
import { fromLabelSelector, matches } from '../../../api/labels.js';
import { findResource } from '../../../api/resources.js';
import { badRequest, conflict, OBJECT_MODIFIED, StatusError } from '../../../api/status.js';
import { rfc3339 } from '../../../api/time.js';
import { isPodFinished, isPodReady, setCondition } from '../../../api/conditions.js';
import type { DeleteOptions, KubeObject } from '../../../api/types/meta.js';
import type { PodDisruptionBudget } from '../../../api/types/policy.js';
import { decodeOptionalBody } from '../../http/body.js';
import { checkFields, type BodyTarget } from '../../http/admit.js';
import { deleteDryRun, deleteOptions, send, type Ctx } from '../context.js';

const EVICTION: BodyTarget = { apiVersion: 'policy/v1', kind: 'Eviction' };
const budgetsResource = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const WOULD_VIOLATE = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', WOULD_VIOLATE, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

export async function evict(ctx: Ctx): Promise<FastifyReply> {
  const body = decodeOptionalBody(ctx.req.headers['content-type'], ctx.req.body as Buffer | undefined) ?? {};
  // Decoded into Go's Eviction (either policy version: the same fields), so types first.
  checkFields(EVICTION, body, 'Ignore');
  if (body.metadata?.name && body.metadata.name !== ctx.path.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const namespace = ctx.path.namespace!;
  const name = ctx.path.name!;
  const options = deleteOptions(ctx.q, body.deleteOptions);
  const isDryRun = deleteDryRun(ctx.q, options);
  const pod = (await ctx.store.get(namespace, name)).obj;
  const done = async () => {
    const deleting = isDryRun ? options : await markDisruptionTarget(ctx, namespace, name, options);
    await ctx.store.delete(namespace, name, deleting, isDryRun);
    return send(ctx, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
  };
  // Finished pods and pods already going need no budget.
  if (isPodFinished(pod) || pod.metadata.deletionTimestamp) return done();

  const budgets = ctx.options.registry.storeFor(budgetsResource);
  const covering = budgets.cache
    .list(budgets.keyPrefix(namespace))
    .map((o) => o.obj as unknown as PodDisruptionBudget)
    .filter((b) => b.spec?.selector && matches(fromLabelSelector(b.spec.selector), pod.metadata.labels));
  if (covering.length === 0) return done();
  if (covering.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = covering[0]!;

  if (!isPodReady(pod)) {
    const healthyEnough = (pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0) && (pdb.status?.desiredHealthy ?? 0) > 0;
    if (pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || healthyEnough) return done();
  }
  await spendDisruption(ctx, pdb.metadata.name!, pod, isDryRun);
  return done();
}

/**
 * Gives the pod the DisruptionTarget condition before it is deleted, as Kubernetes' eviction
 * does, so its kubelet and a Job's podFailurePolicy can tell why it went. The delete's
 * preconditions are checked against the pod first, and a resourceVersion precondition then
 * names the version this write made.
 */
async function markDisruptionTarget(ctx: Ctx, namespace: string, name: string, options: DeleteOptions): Promise<DeleteOptions> {
  const pre = options.preconditions;
  const { object } = await ctx.store.update(namespace, name, {
    dryRun: false,
    subresource: 'status',
    mutate: (current) => {
      if (pre?.uid && pre.uid !== current.metadata.uid) throw conflict('pods', '', name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict('pods', '', name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      const status = current.status ?? {};
      const conditions = setCondition(Array.isArray(status.conditions) ? status.conditions : [], EVICTION_CONDITION, rfc3339());
      return { ...current, status: { ...status, conditions } };
    },
  });
  return pre?.resourceVersion ? { ...options, preconditions: { ...pre, resourceVersion: object.obj.metadata.resourceVersion } } : options;
}

const EVICTION_CONDITION = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null } as const;

/** Takes one disruption from the budget for `pod`, or throws 429. */
async function spendDisruption(ctx: Ctx, budget: string, pod: KubeObject, isDryRun: boolean): Promise<void> {
  const store = ctx.options.registry.storeFor(budgetsResource);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await store.update(pod.metadata.namespace, budget, {
        dryRun: isDryRun,
        subresource: 'status',
        mutate: (current) => {
          const pdb = current as unknown as PodDisruptionBudget;
          const status = pdb.status ?? {};
          if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) throw tooManyRequests(`The disruption budget ${budget} is still being processed by the server.`);
          const allowed = status.disruptionsAllowed ?? 0;
          if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
          if ((status.disruptedPods ?? {})[pod.metadata.name!]) return current; // already counted
          if (allowed === 0) throw tooManyRequests(`The disruption budget ${budget} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
          return {
            ...current,
            status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [pod.metadata.name!]: rfc3339() } },
          } as KubeObject;
        },
      });
      return;
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) continue;
      if (err instanceof StatusError && err.code === 404) return; // the budget went: nothing to honour
      throw err;
    }
  }
  throw conflict('poddisruptionbudgets', 'policy', budget, OBJECT_MODIFIED);
}
