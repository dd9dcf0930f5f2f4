// API Priority and Fairness' mandatory objects (the exempt and catch-all FlowSchemas and
// PriorityLevelConfigurations), made at start if missing, as Kubernetes' apiserver makes them:
// tools that read them (kubectl get flowschemas, dashboards) find what every cluster has.
import { StatusError } from '../../api/status.js';
import { MANDATORY_FLOW_SCHEMAS } from '../../api/kinds/flowcontrol/flowschema.js';
import { MANDATORY_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/prioritylevelconfiguration.js';
import { findResource } from '../../api/resources.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Registry } from './registry.js';

export async function ensureMandatoryFlowControl(registry: Registry): Promise<void> {
  const make = async (plural: string, objects: KubeObject[]) => {
    const store = registry.storeFor(findResource('flowcontrol.apiserver.k8s.io', 'v1', plural)!);
    await Promise.all(
      objects.map(async (o) => {
        if (store.getCached(undefined, o.metadata.name!)) return;
        try {
          await store.create(structuredClone(o), false);
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) throw err;
        }
      }),
    );
  };
  await Promise.all([make('prioritylevelconfigurations', MANDATORY_PRIORITY_LEVELS), make('flowschemas', MANDATORY_FLOW_SCHEMAS)]);
}
