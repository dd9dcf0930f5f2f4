// Where the apiserver calls a webhook (admission webhooks, CRD conversion webhooks): exactly
// one of an https URL (no user information, query or fragment) or a Service reference.
import type { FieldErrors } from './field-errors.js';

function validateURL(url: unknown, field: string, errs: FieldErrors): void {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return errs.invalid(field, url, 'must be a valid URL');
  }
  if (u.protocol !== 'https:') errs.invalid(field, url, "'https' is the only allowed URL scheme");
  if (!u.hostname) errs.invalid(field, url, 'host must be specified');
  if (u.username || u.password) errs.invalid(field, url, 'user information is not permitted in the URL');
  if (u.hash) errs.invalid(field, url, 'fragments are not permitted in the URL');
  if (u.search) errs.invalid(field, url, 'query parameters are not permitted in the URL');
}

export function validateWebhookClientConfig(cc: Record<string, any> | undefined, field: string, errs: FieldErrors): void {
  if (!cc || typeof cc !== 'object' || (cc.url === undefined && cc.service === undefined)) return errs.required(field, 'exactly one of url or service is required');
  if (cc.url !== undefined && cc.service !== undefined) return errs.forbidden(field, 'only one of url or service may be specified');
  if (cc.url !== undefined) return validateURL(cc.url, `${field}.url`, errs);
  const service = cc.service as Record<string, unknown>;
  if (!service || typeof service !== 'object') return errs.required(`${field}.service`);
  if (!service.namespace) errs.required(`${field}.service.namespace`, 'service namespace is required');
  if (!service.name) errs.required(`${field}.service.name`, 'service name is required');
  const port = service.port;
  if (port !== undefined && (typeof port !== 'number' || port < 1 || port > 65535)) errs.invalid(`${field}.service.port`, port, 'port is not valid: must be between 1 and 65535, inclusive');
  const path = service.path;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) errs.invalid(`${field}.service.path`, path, "must start with a '/'");
}
