import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { StatusError } from '../api/status.js';
import { authenticate } from './auth.js';
import { certificateNamesNode } from './scraper.js';
import { accessOf, answer, cpuQuantity, goDuration, memoryQuantity, type MetricsView } from './api.js';
import { parseResourceMetrics } from './resource-text.js';
import { MetricsStorage } from './storage.js';

const scrape = (cpuNode: number, cpuApp: number, t: number, memApp = 1048576) =>
  parseResourceMetrics(
    [
      '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
      '# TYPE container_cpu_usage_seconds_total counter',
      `container_cpu_usage_seconds_total{container="app",namespace="ns",pod="web"} ${cpuApp} ${t}`,
      `container_cpu_usage_seconds_total{container="side\\"car",namespace="ns",pod="web"} 1 ${t}`,
      `container_memory_working_set_bytes{container="app",namespace="ns",pod="web"} ${memApp} ${t}`,
      `container_memory_working_set_bytes{container="side\\"car",namespace="ns",pod="web"} 2048 ${t}`,
      `container_start_time_seconds{container="app",namespace="ns",pod="web"} 1.7e+09 ${t}`,
      `node_cpu_usage_seconds_total ${cpuNode} ${t}`,
      `node_memory_working_set_bytes 4294967296 ${t}`,
      'not a sample line {',
      'resource_scrape_error 0',
    ].join('\n'),
    0,
  );

describe('parseResourceMetrics', () => {
  it('reads the node and container samples with their times, and unescapes label values', () => {
    const s = scrape(100, 2.5, 1_700_000_000_000);
    expect(s.node).toEqual({ cpu: 100, memory: 4294967296, time: 1_700_000_000_000 });
    expect(s.containers.get('ns/web/app')).toMatchObject({ cpu: 2.5, memory: 1048576, time: 1_700_000_000_000 });
    expect(s.containers.get('ns/web/side"car')).toMatchObject({ container: 'side"car', cpu: 1 });
    expect(s.containers.size).toBe(2);
  });
});

describe('MetricsStorage', () => {
  it('turns two scrapes into rates over their window; one scrape or a counter that went back gives nothing', () => {
    const m = new MetricsStorage();
    m.store('n1', scrape(100, 2, 1_000_000));
    expect(m.node('n1')).toBeUndefined();
    expect(m.pods()).toEqual([]);
    m.store('n1', scrape(115, 2.75, 1_015_000, 2_097_152));
    // 15 core-seconds in 15 s: one core; the app used 0.75 s in 15 s: 50m.
    expect(m.node('n1')).toEqual({ cpu: 1e9, memory: 4294967296, time: 1_015_000, windowMs: 15_000 });
    expect(m.pods()).toEqual([{ namespace: 'ns', name: 'web', node: 'n1', time: 1_015_000, windowMs: 15_000, containers: [{ name: 'app', cpu: 50_000_000, memory: 2_097_152 }, { name: 'side"car', cpu: 0, memory: 2048 }] }]);
    m.store('n1', scrape(130, 0.1, 1_030_000));
    expect(m.pods()).toEqual([]);
    m.retain(new Set());
    expect(m.node('n1')).toBeUndefined();
  });
});

describe('quantities', () => {
  it("are written in Kubernetes' canonical forms", () => {
    expect([cpuQuantity(0), cpuQuantity(2e9), cpuQuantity(50e6), cpuQuantity(1500), cpuQuantity(2347182)]).toEqual(['0', '2', '50m', '1500n', '2347182n']);
    expect([memoryQuantity(0), memoryQuantity(1048576), memoryQuantity(1745472 * 1024), memoryQuantity(1000)]).toEqual(['0', '1Mi', '1745472Ki', '1000']);
    expect([goDuration(15_000), goDuration(15_012), goDuration(60_500)]).toEqual(['15s', '15.012s', '1m0.5s']);
  });
});

describe('the metrics.k8s.io API', () => {
  const storage = new MetricsStorage();
  storage.store('n1', scrape(100, 2, 1_700_000_000_000));
  storage.store('n1', scrape(101, 2.001, 1_700_000_015_000));
  const view: MetricsView = {
    node: (n) => storage.node(n),
    pods: () => storage.pods(),
    nodeLabels: () => new Map<string, Record<string, string>>([['n1', { zone: 'a' }], ['n2', {}]]),
    pod: (ns, name) => (ns === 'ns' && name === 'web' ? { labels: { app: 'web' }, nodeName: 'n1' } : undefined),
  };
  const get = (path: string, q = '') => answer(view, path, new URLSearchParams(q), 1_700_000_020_000);

  it('discovery: the group and its two resources', () => {
    expect(get('/apis/metrics.k8s.io/v1beta1').body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'metrics.k8s.io/v1beta1', resources: [{ name: 'nodes', kind: 'NodeMetrics', namespaced: false }, { name: 'pods', kind: 'PodMetrics', namespaced: true }] });
  });

  it('NodeMetrics: lists nodes that have usage, by label; gets one; 404 for the others', () => {
    const list = get('/apis/metrics.k8s.io/v1beta1/nodes').body as { kind: string; items: unknown[] };
    expect(list.kind).toBe('NodeMetricsList');
    expect(list.items).toEqual([{ metadata: { name: 'n1', creationTimestamp: '2023-11-14T22:13:40Z', labels: { zone: 'a' } }, timestamp: '2023-11-14T22:13:35Z', window: '15s', usage: { cpu: '66666667n', memory: '4Gi' } }]);
    expect((get('/apis/metrics.k8s.io/v1beta1/nodes', 'labelSelector=zone%3Db').body as { items: unknown[] }).items).toEqual([]);
    expect(get('/apis/metrics.k8s.io/v1beta1/nodes/n1').body).toMatchObject({ kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'n1' } });
    expect(() => get('/apis/metrics.k8s.io/v1beta1/nodes/n2')).toThrow('nodemetrics.metrics.k8s.io "n2" not found');
  });

  it('PodMetrics: all namespaces, one namespace, one pod, by label', () => {
    const all = get('/apis/metrics.k8s.io/v1beta1/pods').body as { items: Array<{ metadata: { name: string }; containers: unknown[] }> };
    expect(all.items.map((i) => i.metadata.name)).toEqual(['web']);
    expect(all.items[0]!.containers).toEqual([{ name: 'app', usage: { cpu: '66667n', memory: '1Mi' } }, { name: 'side"car', usage: { cpu: '0', memory: '2Ki' } }]);
    expect((get('/apis/metrics.k8s.io/v1beta1/namespaces/other/pods').body as { items: unknown[] }).items).toEqual([]);
    expect((get('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods', 'labelSelector=app%3Dweb').body as { items: unknown[] }).items).toHaveLength(1);
    expect(get('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/web').body).toMatchObject({ kind: 'PodMetrics', metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } } });
    const err = (() => {
      try {
        get('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/gone');
      } catch (e) {
        return e as StatusError;
      }
    })();
    expect([err?.code, err?.message]).toEqual([404, 'podmetrics.metrics.k8s.io "gone" not found']);
    expect(() => get('/apis/metrics.k8s.io/v1beta1/pods', 'labelSelector=a%20in%20(')).toThrow(StatusError);
  });

  it("a pod is reported only from the kubelet of its own node", () => {
    const twice = new MetricsStorage();
    for (const node of ['n1', 'alias']) {
      twice.store(node, scrape(100, 2, 1_700_000_000_000));
      twice.store(node, scrape(101, 2.001, 1_700_000_015_000));
    }
    const v: MetricsView = { ...view, node: (n) => twice.node(n), pods: () => twice.pods() };
    expect((answer(v, '/apis/metrics.k8s.io/v1beta1/pods', new URLSearchParams()).body as { items: unknown[] }).items).toHaveLength(1);
    const unbound: MetricsView = { ...v, pod: () => ({ labels: {} }) };
    expect((answer(unbound, '/apis/metrics.k8s.io/v1beta1/pods', new URLSearchParams()).body as { items: unknown[] }).items).toEqual([]);
  });

  it('what each path needs the caller to be allowed', () => {
    expect(accessOf('/apis/metrics.k8s.io/v1beta1/nodes/')).toEqual({ verb: 'list', resource: 'nodes' });
    expect(accessOf('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/web/')).toEqual({ verb: 'get', resource: 'pods', namespace: 'ns', name: 'web' });
    expect(accessOf('/apis/metrics.k8s.io/v1beta1/')).toBeUndefined();
    expect(() => get('/apis/metrics.k8s.io/v1beta1/secrets')).toThrow('the server could not find the requested resource');
    // Hostile paths: a bad escape, a climb out, a name with a slash: nothing found, nothing thrown but Status errors.
    expect(() => get('/apis/metrics.k8s.io/v1beta1/nodes/%E0%A4%A')).toThrow(StatusError);
    expect(() => get('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/..%2Fweb')).toThrow('podmetrics.metrics.k8s.io "../web" not found');
    expect(() => get('/apis/metrics.k8s.io/v1beta1/namespaces/__proto__/pods/constructor')).toThrow('podmetrics.metrics.k8s.io "constructor" not found');
  });
});

describe("a kubelet's serving certificate", () => {
  it('names its node by DNS name or common name (kubelets name theirs "<node>@<time>")', () => {
    expect(certificateNamesNode({ subject: { CN: 'node-1@1700000000' } as never, subjectaltname: 'DNS:node-1, DNS:localhost, IP Address:127.0.0.1' }, 'node-1')).toBe(true);
    expect(certificateNamesNode({ subject: { CN: 'node-1@1700000000' } as never, subjectaltname: 'DNS:node-1, DNS:localhost' }, 'simulated-1')).toBe(false);
    expect(certificateNamesNode({ subject: { CN: 'node-2' } as never, subjectaltname: '' }, 'node-2')).toBe(true);
    expect(certificateNamesNode(undefined, 'node-1')).toBe(false);
  });
});

describe('the front proxy', () => {
  const cfg = { caPem: '', allowedNames: ['front-proxy-client'], usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'] };
  const req = (authorized: boolean, cn: string, headers: Record<string, string[]>) =>
    ({ socket: { authorized, getPeerCertificate: () => ({ subject: { CN: cn } }) }, headersDistinct: headers }) as unknown as IncomingMessage;

  it('names the caller from the headers only for the front proxy, one group per header line', () => {
    expect(authenticate(req(true, 'front-proxy-client', { 'x-remote-user': ['alice'], 'x-remote-group': ['system:masters', 'a, b'] }), cfg)).toEqual({ user: 'alice', groups: ['system:masters', 'a, b'] });
    expect(authenticate(req(false, 'front-proxy-client', { 'x-remote-user': ['alice'] }), cfg)).toBeUndefined();
    expect(authenticate(req(true, 'someone-else', { 'x-remote-user': ['alice'] }), cfg)).toBeUndefined();
    expect(authenticate(req(true, 'front-proxy-client', {}), cfg)).toBeUndefined();
  });
});
