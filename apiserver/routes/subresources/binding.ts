// pods/binding (and POST bindings): assigns a pod to a node, once; written by the scheduler.
import type { FastifyReply } from 'fastify';
import { findResource } from '../../../api/resources.js';
import { conflict } from '../../../api/status.js';
import type { KubeObject, Unstructured } from '../../../api/types/meta.js';
import { FieldErrors } from '../../../api/validation/field-errors.js';
import { dryRun } from '../../http/params.js';
import { nowTimestamp } from '../../registry/names.js';
import { send, type Ctx } from '../context.js';

export async function bind(ctx: Ctx, podName: string, binding: KubeObject): Promise<FastifyReply> {
  const target = (binding as Unstructured).target ?? {};
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

