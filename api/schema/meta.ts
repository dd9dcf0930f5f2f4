// meta/v1 shapes shared by every kind.
import { any, bool, int, list, map, obj, open, set, str, stringMap, time, type Schema } from './dsl.js';

export const ownerReference = obj({
  apiVersion: str,
  kind: str,
  name: str,
  uid: str,
  controller: bool,
  blockOwnerDeletion: bool,
});

/** Go decodes each entry into its struct: a wrongly typed field is a decoding error, as anywhere else. */
export const managedFieldsEntry = obj({
  manager: str,
  operation: str,
  apiVersion: str,
  time: time,
  fieldsType: str,
  fieldsV1: any,
  subresource: str,
});

export const objectMeta = obj({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: int,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: list(ownerReference, 'uid'),
  finalizers: set(str),
  managedFields: list(managedFieldsEntry),
});

/** The body of a delete (and an Eviction's deleteOptions), decoded into Go's struct. */
export const deleteOptions = obj({
  kind: str,
  apiVersion: str,
  gracePeriodSeconds: int,
  preconditions: obj({ uid: str, resourceVersion: str }),
  orphanDependents: bool,
  propagationPolicy: str,
  dryRun: list(str),
  ignoreStoreReadErrorWithClusterBreakingPotential: bool,
});

export const labelSelector = obj({
  matchLabels: stringMap,
  matchExpressions: list(obj({ key: str, operator: str, values: list(str) })),
});

export const condition = open({ type: str, status: str, reason: str, message: str, lastTransitionTime: time });
export const conditions = list(condition, 'type');

export const objectReference = obj({
  kind: str,
  namespace: str,
  name: str,
  uid: str,
  apiVersion: str,
  resourceVersion: str,
  fieldPath: str,
});

/** The top of every kind: apiVersion, kind, metadata, then the kind's own fields. */
export function kind(fields: Record<string, Schema>): Schema {
  return obj({ apiVersion: str, kind: str, metadata: objectMeta, ...fields });
}

export const localObjectReference = obj({ name: str });
export const anyMap = map(any);
