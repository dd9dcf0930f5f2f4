// metrics.k8s.io/v1beta1 as metrics-server serves it: discovery, NodeMetrics and PodMetrics
// (get and list, all namespaces or one, with label selectors), from the storage's usage and
// the nodes' and pods' labels. Answers are JSON; errors are Status objects (pure).
import { matches, parseSelector } from '../api/labels.js';
import { noSuchRoute, notFound, StatusError } from '../api/status.js';
import type { Usage, PodUsage } from './storage.js';

export const GROUP = 'metrics.k8s.io';
export const VERSION = 'v1beta1';
const API_VERSION = `${GROUP}/${VERSION}`;

export interface MetricsView {
  node(name: string): Usage | undefined;
  pods(): PodUsage[];
  /** Labels of the Nodes and Pods the cluster has (what selectors match and objects carry). */
  nodeLabels(): Map<string, Record<string, string>>;
  /** A pod the cluster has: its labels and the node it is bound to. */
  pod(namespace: string, name: string): { labels: Record<string, string>; nodeName?: string } | undefined;
}

export interface Answer {
  code: number;
  body: unknown;
}

/** What a request needs the caller to be allowed: the verb and resource, for the authorizer. */
export interface Access {
  verb: 'get' | 'list';
  resource: 'nodes' | 'pods';
  namespace?: string;
  name?: string;
}

/** A quantity in Kubernetes' canonical form: the largest suffix that keeps it whole. */
export function cpuQuantity(nanocores: number): string {
  if (nanocores === 0) return '0';
  for (const [div, suffix] of [
    [1e9, ''],
    [1e6, 'm'],
    [1e3, 'u'],
  ] as const) {
    if (nanocores % div === 0) return `${nanocores / div}${suffix}`;
  }
  return `${nanocores}n`;
}

export function memoryQuantity(bytes: number): string {
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let n = bytes;
  let i = 0;
  while (n !== 0 && n % 1024 === 0 && i < suffixes.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${suffixes[i]}`;
}

/** A duration as Go prints it ("15.012s", "1m0.5s"). */
export function goDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = Number(((ms % 60_000) / 1000).toFixed(9));
  return minutes ? `${minutes}m${seconds}s` : `${seconds}s`;
}

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: API_VERSION,
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

const GROUP_DOC = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: GROUP,
  versions: [{ groupVersion: API_VERSION, version: VERSION }],
  preferredVersion: { groupVersion: API_VERSION, version: VERSION },
};

/** The access a path needs, or undefined for discovery (open to every authenticated caller). */
export function accessOf(path: string): Access | undefined {
  const p = `/apis/${API_VERSION}/`;
  if (!path.startsWith(p)) return undefined;
  let parts: string[];
  try {
    parts = path.slice(p.length).split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // a malformed escape names nothing here
  }
  if (parts[0] === 'nodes') return parts.length === 1 ? { verb: 'list', resource: 'nodes' } : { verb: 'get', resource: 'nodes', name: parts[1] };
  if (parts[0] === 'pods' && parts.length === 1) return { verb: 'list', resource: 'pods' };
  if (parts[0] === 'namespaces' && parts[2] === 'pods') return parts.length === 3 ? { verb: 'list', resource: 'pods', namespace: parts[1] } : { verb: 'get', resource: 'pods', namespace: parts[1], name: parts[3] };
  return undefined;
}

function nodeMetrics(name: string, u: Usage, labels: Record<string, string> | undefined, now: number) {
  return {
    metadata: { name, creationTimestamp: rfc3339(now), ...(labels && Object.keys(labels).length ? { labels } : {}) },
    timestamp: rfc3339(u.time),
    window: goDuration(u.windowMs),
    usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memory) },
  };
}

function podMetrics(p: PodUsage, labels: Record<string, string> | undefined, now: number) {
  return {
    metadata: { name: p.name, namespace: p.namespace, creationTimestamp: rfc3339(now), ...(labels && Object.keys(labels).length ? { labels } : {}) },
    timestamp: rfc3339(p.time),
    window: goDuration(p.windowMs),
    containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpu), memory: memoryQuantity(c.memory) } })),
  };
}

/** Answers a GET of `path` with `query`; throws a StatusError for what it cannot answer. */
export function answer(view: MetricsView, path: string, query: URLSearchParams, now = Date.now()): Answer {
  const clean = path.replace(/\/+$/, '');
  if (clean === '/apis') return { code: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: [GROUP_DOC] } };
  if (clean === `/apis/${GROUP}`) return { code: 200, body: GROUP_DOC };
  if (clean === `/apis/${API_VERSION}`) return { code: 200, body: RESOURCES };
  const access = accessOf(clean + '/');
  if (!access) throw noSuchRoute();
  const selector = parseSelector(query.get('labelSelector') ?? undefined);
  if (access.resource === 'nodes') {
    const labels = view.nodeLabels();
    if (access.name !== undefined) {
      const u = labels.has(access.name) ? view.node(access.name) : undefined;
      if (!u) throw notFound('nodemetrics', GROUP, access.name);
      return { code: 200, body: { kind: 'NodeMetrics', apiVersion: API_VERSION, ...nodeMetrics(access.name, u, labels.get(access.name), now) } };
    }
    const items = [...labels]
      .filter(([, l]) => matches(selector, l))
      .map(([name, l]) => {
        const u = view.node(name);
        return u ? nodeMetrics(name, u, l, now) : undefined;
      })
      .filter((x) => !!x)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return { code: 200, body: { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items } };
  }
  // Only pods the cluster still has, as reported by the kubelet of the node they are bound to
  // (a kubelet that answers for another node's address does not make a second copy).
  const pods = view
    .pods()
    .filter((p) => access.namespace === undefined || p.namespace === access.namespace)
    .map((p) => ({ p, pod: view.pod(p.namespace, p.name) }))
    .filter((x): x is { p: PodUsage; pod: { labels: Record<string, string>; nodeName?: string } } => !!x.pod && x.pod.nodeName === x.p.node);
  if (access.name !== undefined) {
    const found = pods.find((x) => x.p.name === access.name);
    if (!found) throw notFound('podmetrics', GROUP, access.name);
    return { code: 200, body: { kind: 'PodMetrics', apiVersion: API_VERSION, ...podMetrics(found.p, found.pod.labels, now) } };
  }
  const items = pods.filter(({ pod }) => matches(selector, pod.labels)).map(({ p, pod }) => podMetrics(p, pod.labels, now));
  return { code: 200, body: { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items } };
}

export function statusAnswer(err: unknown): Answer {
  const e = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  return { code: e.code, body: e.toStatus() };
}
