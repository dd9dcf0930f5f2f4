// Schema pieces several kinds share: workload status, rolling updates, job specs, endpoint
// ports, and the shape of kinds whose schema is not known (served as they come).
import { int, int32, intOrString, obj, open, str, type Schema } from './dsl.js';
import { conditions, labelSelector, objectMeta } from './meta.js';
import { podTemplateSpec } from './pod.js';

export const workloadStatus = open({
  conditions,
  replicas: int32,
  readyReplicas: int32,
  availableReplicas: int32,
  updatedReplicas: int32,
  unavailableReplicas: int32,
  fullyLabeledReplicas: int32,
  terminatingReplicas: int32,
  observedGeneration: int,
  collisionCount: int32,
});

export const rollingUpdate = obj({ maxUnavailable: intOrString, maxSurge: intOrString });

export const jobSpec = open({
  template: podTemplateSpec,
  selector: labelSelector,
  parallelism: int32,
  completions: int32,
  backoffLimit: int32,
  backoffLimitPerIndex: int32,
  maxFailedIndexes: int32,
  activeDeadlineSeconds: int,
  ttlSecondsAfterFinished: int32,
});

export const endpointPort = obj({ name: str, port: int32, protocol: str, appProtocol: str });

/** A kind whose content is not described: every field is accepted. */
export const loose: Schema = obj({ apiVersion: str, kind: str, metadata: objectMeta }, { open: true });

