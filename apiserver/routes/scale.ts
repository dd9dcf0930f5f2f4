// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas.
import { labelSelectorToString, selectorToString, fromLabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/types/meta.js';

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
