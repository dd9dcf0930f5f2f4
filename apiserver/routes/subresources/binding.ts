// pods/binding (and POST bindings): assigns a pod to a node, once; written by the scheduler.
import type { FastifyReply } from 'fastify';
import { setOwn } from '../../../api/codec/values.js';
import { findResource } from '../../../api/resources.js';
import { badRequest, conflict } from '../../../api/status.js';
import type { KubeObject, Unstructured } from '../../../api/types/meta.js';
import { FieldErrors } from '../../../api/validation/field-errors.js';
import { validateAnnotations } from '../../../api/validation/object-meta.js';
import { dryRun } from '../../http/params.js';
import { nowTimestamp } from '../../registry/names.js';
import { send, type Ctx } from '../context.js';

export async function bind(ctx: Ctx, podName: string, binding: KubeObject): Promise<FastifyReply> {
  const target = (binding as Unstructured).target ?? {};
  const errs = new FieldErrors();
  if (!target.name) errs.required('target.name');
  const annotations: unknown = binding.metadata?.annotations;
  if (annotations !== undefined && annotations !== null) {
    // What decoding a Binding refuses in Kubernetes: annotations are a map of strings.
    if (typeof annotations !== 'object' || Array.isArray(annotations) || Object.values(annotations).some((v) => typeof v !== 'string')) {
      throw badRequest('Binding in version "v1" cannot be handled as a Binding: metadata.annotations: expected a map of strings');
    }
    validateAnnotations(annotations, 'metadata.annotations', errs);
  }
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
      const rv = binding.metadata.resourceVersion;
      if (rv && rv !== pod.metadata.resourceVersion) {
        throw conflict('pods', '', podName, `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
      }
      // The binding's annotations are added to the pod's, as Kubernetes does.
      if (annotations && Object.keys(annotations).length) {
        pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}) };
        for (const [k, v] of Object.entries(annotations)) setOwn(pod.metadata.annotations, k, v);
      }
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

