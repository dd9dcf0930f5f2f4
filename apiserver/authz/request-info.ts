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

function nonResource(method: string, path: string): NonResourceAttributes {
  return { resourceRequest: false, verb: method.toLowerCase(), path };
}

/** `path` without leading and trailing `/`s, by hand: `/\/+$/g` takes quadratic time over a path of many slashes. */
function withoutOuterSlashes(path: string): string {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 47) start++;
  while (end > start && path.charCodeAt(end - 1) === 47) end--;
  return start === 0 && end === path.length ? path : path.slice(start, end);
}

/** `path` is already percent-decoded; `watchParam` is the first `watch` query value, if any. */
export function requestAttributes(method: string, path: string, watchParam?: string): RequestAttributes {
  const trimmed = withoutOuterSlashes(path);
  const parts = trimmed === '' ? [] : trimmed.split('/');
  // Read by position (every request passes here): `at` is where the unread segments start.
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource(method, path);
  let apiGroup = '';
  let at = 1;
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource(method, path);
    apiGroup = parts[1]!;
    at = 2;
  }
  const apiVersion = parts[at++]!;
  let verb: string;
  if (parts[at] === 'watch' || parts[at] === 'proxy') {
    verb = parts[at++]!;
    // "proxy" and "watch" need something after them; Kubernetes calls anything less a bad path.
    if (at >= parts.length) return nonResource(method, path);
  } else {
    verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }
  let namespace = '';
  if (parts[at] === 'namespaces' && parts.length - at > 1) {
    namespace = parts[at + 1]!;
    if (parts.length - at > 2 && !NAMESPACE_SUBRESOURCES.has(parts[at + 2]!)) at += 2;
  }
  const resource = parts[at] ?? '';
  const name = parts[at + 1] ?? '';
  const subresource = verb !== 'proxy' && parts.length - at >= 3 ? parts[at + 2]! : '';
  if (!name && verb === 'get') verb = watchParam !== undefined && !['false', '0'].includes(watchParam.toLowerCase()) ? 'watch' : 'list';
  if (!name && verb === 'delete') verb = 'deletecollection';
  return { resourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name };
}
