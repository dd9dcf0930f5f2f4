// The AdmissionRequest fields of a request, as webhooks receive them in an AdmissionReview and
// admission policies see them as `request`.
import type { AdmissionAttributes } from './webhooks/matching.js';

/** The request's fields, without the objects (callers add them as their audience needs). */
export function admissionRequestOf(a: AdmissionAttributes, uid: string): Record<string, unknown> {
  const kind = a.objectKind ?? { group: a.group, version: a.version, kind: a.kind };
  // Seen in another version than the request's (matchPolicy Equivalent): request* say which.
  const requested = a.requested;
  return {
    uid,
    kind,
    resource: { group: a.group, version: a.version, resource: a.resource },
    ...(a.subresource ? { subResource: a.subresource } : {}),
    requestKind: requested && !a.objectKind ? { group: a.group, version: requested.version, kind: requested.kind } : kind,
    requestResource: { group: a.group, version: requested?.version ?? a.version, resource: a.resource },
    ...(a.subresource ? { requestSubResource: a.subresource } : {}),
    name: a.name,
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: { username: a.user.name, ...(a.user.uid ? { uid: a.user.uid } : {}), groups: a.user.groups, ...(a.user.extra ? { extra: a.user.extra } : {}) },
    dryRun: a.dryRun,
    options: a.options ?? null,
  };
}
