// Kubernetes API errors: every failure a client sees is a meta/v1 Status with a code and reason.
import type { Status, StatusCause, StatusDetails } from './types/meta.js';

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    // Kubernetes' field order: details come before code.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** The `pods` / `deployments.apps` form Kubernetes uses in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** The 404 of a path the server has no route for (an unknown group, version, resource or subresource). */
export function noSuchRoute(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function conflict(resource: string, group: string, name: string, why: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`,
    { name, group: group || undefined, kind: resource },
  );
}

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  const joined = causes.length > 1 ? `[${summary}]` : summary;
  return new StatusError(422, 'Invalid', `${qualifiedResource(kind, group)} "${name}" is invalid: ${joined}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/**
 * The name an admission refusal gives an object: its generateName when it has no name yet, as
 * Kubernetes' does (`pods "web-7d9f-" is forbidden: exceeded quota: ...`), since names are made
 * after admission.
 */
export function admissionName(metadata: { name?: string; generateName?: string } | undefined): string {
  return metadata?.name || metadata?.generateName || '';
}

export function forbidden(resource: string, group: string, name: string, why: string): StatusError {
  const what = name ? `${qualifiedResource(resource, group)} "${name}"` : qualifiedResource(resource, group);
  return new StatusError(403, 'Forbidden', `${what} is forbidden: ${why}`, {
    name: name || undefined,
    group: group || undefined,
    kind: resource,
  });
}

/**
 * A create in a namespace being deleted, with the NamespaceTerminating cause controllers look for
 * (client-go's HasStatusCause) to stop retrying.
 */
export function namespaceTerminating(resource: string, group: string, name: string, namespace: string): StatusError {
  const err = forbidden(resource, group, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  err.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }];
  return err;
}

/** Whether a write was refused because its namespace is being deleted: every later create there fails too. */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof StatusError && err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') === true;
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`);
}

/** A patch type this resource does not take. */
export function unsupportedPatchType(accepted: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

export function timeoutError(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(504, 'Timeout', message, { retryAfterSeconds });
}

export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/request is too large/.test(message)) return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
  return internalError(message);
}
