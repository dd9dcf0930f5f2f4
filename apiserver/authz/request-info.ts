// What a request asks to do, in authorization's terms, read off its method and (decoded) path
// as Kubernetes' RequestInfoFactory reads them: a resource request (verb, API group, version,
// namespace, resource, subresource, name) or a non-resource request (a URL path and the
// lower-cased method).

export interface ResourceAttributes {
  resourceRequest: true;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface NonResourceAttributes {
  resourceRequest: false;
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** Namespace subresources that are not resources in their own right. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** `path` is already percent-decoded; `watchParam` is the first `watch` query value, if any. */
export function requestAttributes(method: string, path: string, watchParam?: string): RequestAttributes {
  const nonResource: NonResourceAttributes = { resourceRequest: false, verb: method.toLowerCase(), path };
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  let parts = trimmed === '' ? [] : trimmed.split('/');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  let apiGroup = '';
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1]!;
    parts = parts.slice(2);
  } else {
    parts = parts.slice(1);
  }
  const apiVersion = parts[0]!;
  parts = parts.slice(1);
  let verb: string;
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    verb = parts[0];
    parts = parts.slice(1);
    // "proxy" and "watch" need something after them; Kubernetes calls anything less a bad path.
    if (parts.length === 0) return nonResource;
  } else {
    verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  const resource = parts[0] ?? '';
  const name = parts[1] ?? '';
  const subresource = verb !== 'proxy' && parts.length >= 3 ? parts[2]! : '';
  if (!name && verb === 'get') verb = watchParam !== undefined && !['false', '0'].includes(watchParam.toLowerCase()) ? 'watch' : 'list';
  if (!name && verb === 'delete') verb = 'deletecollection';
  return { resourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name };
}
