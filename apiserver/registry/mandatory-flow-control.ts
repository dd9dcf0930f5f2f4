// API Priority and Fairness' mandatory objects (the exempt and catch-all FlowSchemas and
// PriorityLevelConfigurations), made at start if missing, as Kubernetes' apiserver makes them:
// tools that read them (kubectl get flowschemas, dashboards) find what every cluster has.
import { MANDATORY_FLOW_SCHEMAS } from '../../api/kinds/flowcontrol/flowschema.js';
import { MANDATORY_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/prioritylevelconfiguration.js';
import { findResource } from '../../api/resources.js';
import { createMissing } from './create-missing.js';
import type { Registry } from './registry.js';

export async function ensureMandatoryFlowControl(registry: Registry): Promise<void> {
  const resource = (plural: string) => findResource('flowcontrol.apiserver.k8s.io', 'v1', plural)!;
  await Promise.all([createMissing(registry, resource('prioritylevelconfigurations'), MANDATORY_PRIORITY_LEVELS), createMissing(registry, resource('flowschemas'), MANDATORY_FLOW_SCHEMAS)]);
}
