// node.k8s.io/v1 RuntimeClass: which container runtime configuration (handler) a pod runs
// with, the resources that configuration costs beyond the containers' (overhead.podFixed,
// added to the pod by the RuntimeClass admission plugin) and where it can run (scheduling,
// merged into the pod's node selector and tolerations).
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1123Label } from '../../validation/names.js';
import { validateLabels } from '../../validation/object-meta.js';
import { validateTolerations } from '../../validation/pod-spec.js';
import { validateResourceList } from '../../validation/resource-list.js';
import { immutable } from '../../validation/workloads.js';
import type { KubeObject } from '../../types/meta.js';
import type { KindModule } from '../kind.js';

function validateScheduling(o: KubeObject, errs: FieldErrors): void {
  const scheduling = o.scheduling as { nodeSelector?: unknown; tolerations?: unknown } | undefined;
  if (!scheduling) return;
  validateLabels(scheduling.nodeSelector, 'scheduling.nodeSelector', errs);
  validateTolerations(scheduling.tolerations, 'scheduling.tolerations', errs);
  // The same toleration (key, operator, value, effect) twice is refused.
  const seen = new Set<string>();
  (Array.isArray(scheduling.tolerations) ? scheduling.tolerations : []).forEach((t: Record<string, unknown>, i: number) => {
    const id = JSON.stringify([t.key ?? '', t.operator ?? 'Equal', t.value ?? '', t.effect ?? '']);
    if (seen.has(id)) errs.duplicate(`scheduling.tolerations[${i}]`, t);
    seen.add(id);
  });
}

export const runtimeClass: KindModule = {
  group: 'node.k8s.io',
  version: 'v1',
  kind: 'RuntimeClass',
  plural: 'runtimeclasses',
  namespaced: false,
  schema: schemaFromProtobuf('node.k8s.io/v1', 'RuntimeClass'),
  columns: [nameCol, col('Handler', (o) => String(o.handler ?? '')), ageCol],
  validate(o, errs) {
    const handler = o.handler;
    if (typeof handler !== 'string' || !handler) errs.required('handler');
    else errs.format('handler', handler, dns1123Label(handler));
    const overhead = o.overhead as { podFixed?: unknown } | undefined;
    validateResourceList(overhead?.podFixed, 'overhead.podFixed', errs);
    validateScheduling(o, errs);
  },
  validateUpdate(next, prev, errs) {
    immutable(next.handler, prev.handler, 'handler', errs);
  },
};
