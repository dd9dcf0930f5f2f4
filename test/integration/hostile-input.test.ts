// The hostile-input corpus (test/corpus/hostile-requests.ts) against a real apiserver on a real
// etcd: every request gets exactly Kubernetes' Status, the server keeps answering, it holds
// exactly the data it acknowledged, nothing reaches Object.prototype, and memory stays bounded.
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCorpus, collectionPath, kinds, NAMESPACE, objectPath, sentinelName, sentinelObject, type Case } from '../corpus/hostile-requests.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;

interface Answer {
  status: number;
  text: string;
  json?: any;
  headers?: IncomingHttpHeaders;
}

/** A request sent exactly as given: no URL normalization, raw path, any method. */
function send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Raw bytes on a socket: for what no HTTP client would send. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(api.port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.write(bytes);
    setTimeout(() => socket.destroy(), 5000);
  });
}

async function metric(name: string): Promise<number> {
  const text = (await send('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

const sentinels = new Map<string, any>();
/** Every object of each kind before the corpus ran (the sentinel, and e.g. the bootstrap roles). */
const namesBefore = new Map<string, string[]>();

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  await send('POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: NAMESPACE } }), { 'Content-Type': 'application/json' });
  for (const k of kinds) {
    const res = await send('POST', collectionPath(k), JSON.stringify(sentinelObject(k)), { 'Content-Type': 'application/json' });
    expect(res.status, `${k.plural}: ${res.text}`).toBe(201);
    sentinels.set(k.plural, res.json);
  }
  // The server's own controllers finish their part first (a FlowSchema's Dangling condition):
  // the objects as they then stand are what the corpus must leave unchanged.
  await waitFor('the sentinels to settle', async () => {
    const schema = kinds.find((k) => k.plural === 'flowschemas');
    return !schema || ((await send('GET', objectPath(schema))).json?.status?.conditions ?? []).some((c: any) => c.type === 'Dangling');
  });
  for (const k of kinds) sentinels.set(k.plural, (await send('GET', objectPath(k))).json);
  for (const k of kinds) namesBefore.set(k.plural, (await send('GET', collectionPath(k))).json.items.map((i: any) => i.metadata.name).sort());
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

/** Defines a cluster-scoped kind in corpus.example.com (v1, with these properties) and waits until it is served; returns its path. */
async function defineCRD(plural: string, kind: string, properties: Record<string, unknown>, additionalPrinterColumns?: unknown[]): Promise<string> {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.corpus.example.com` },
    spec: {
      group: 'corpus.example.com',
      scope: 'Cluster',
      names: { plural, kind },
      versions: [{ name: 'v1', served: true, storage: true, ...(additionalPrinterColumns ? { additionalPrinterColumns } : {}), schema: { openAPIV3Schema: { type: 'object', properties } } }],
    },
  };
  const defined = await send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd), { 'Content-Type': 'application/json' });
  expect(defined.status, defined.text.slice(0, 200)).toBe(201);
  const path = `/apis/corpus.example.com/v1/${plural}`;
  await waitFor(`${plural} to be served`, async () => ((await send('GET', path)).status === 200 ? true : undefined));
  return path;
}

function mismatch(c: Case, res: Answer): string | undefined {
  const got = `${res.status} ${res.json?.reason ?? ''} ${String(res.json?.message ?? res.text).slice(0, 200)}`;
  if (res.status !== c.expect.code) return `${c.name}: expected ${c.expect.code} ${c.expect.reason}, got ${got}`;
  if (c.expect.code >= 400) {
    const s = res.json;
    if (!s || s.kind !== 'Status' || s.apiVersion !== 'v1' || s.status !== 'Failure' || s.code !== res.status) return `${c.name}: not a Kubernetes Status: ${res.text.slice(0, 200)}`;
    if (s.reason !== c.expect.reason) return `${c.name}: expected reason ${c.expect.reason}, got ${got}`;
    const m = c.expect.message;
    if (m && !(typeof m === 'string' ? s.message.includes(m) : m.test(s.message))) return `${c.name}: message ${JSON.stringify(s.message.slice(0, 300))} does not match ${m}`;
  }
  return undefined;
}

describe('hostile input', () => {
  const corpus = buildCorpus();

  it('has several hundred cases across every verb, content type, patch type and parameter', () => {
    expect(corpus.length).toBeGreaterThan(400);
    const kindsOf = (f: (c: Case) => string) => new Set(corpus.map(f));
    expect(kindsOf((c) => c.method)).toEqual(new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    for (const t of ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/yaml', 'application/vnd.kubernetes.protobuf']) {
      expect(corpus.some((c) => c.contentType === t), t).toBe(true);
    }
  });

  it('answers every case with exactly the Status Kubernetes gives, while legitimate writes go on', async () => {
    const failures: string[] = [];
    // A legitimate client writes throughout; every write it sees acknowledged must survive.
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const res = await send('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, JSON.stringify({ metadata: { name: `legit-${i}`, labels: { legit: 'yes' } }, data: { i: String(i) } }), { 'Content-Type': 'application/json' });
        if (res.status === 201) acknowledged.push(`legit-${i}`);
      }
    })();
    const queue = [...corpus];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const headers: Record<string, string> = { ...(c.headers ?? {}) };
          if (c.contentType) headers['Content-Type'] = c.contentType;
          const res = await send(c.method, c.path, c.body, headers);
          const problem = mismatch(c, res);
          if (problem) failures.push(problem);
        }
      }),
    );
    writing = false;
    await writer;
    expect(failures).toEqual([]);
    expect((await send('GET', '/healthz')).status).toBe(200);

    const listed = await send('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps?labelSelector=legit%3Dyes`);
    const names = new Set(listed.json.items.map((i: any) => i.metadata.name));
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(acknowledged.filter((n) => !names.has(n))).toEqual([]);
  }, 300_000);

  it('holds exactly the objects it held before, unchanged', async () => {
    for (const k of kinds) {
      const now = await send('GET', objectPath(k));
      expect(now.status, k.plural).toBe(200);
      expect(now.json, k.plural).toEqual(sentinels.get(k.plural));
      const list = await send('GET', collectionPath(k));
      const names = list.json.items.map((i: any) => i.metadata.name).filter((n: string) => !n.startsWith('legit-'));
      expect(names.sort(), k.plural).toEqual(namesBefore.get(k.plural));
      expect(names, k.plural).toContain(sentinelName(k));
    }
  });

  it('lets nothing reach Object.prototype: selectors and objects show no injected field', async () => {
    const polluted = await send('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps?labelSelector=x%3Dy`);
    expect(polluted.json.items).toEqual([]);
    const fresh = await send('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, JSON.stringify({ metadata: { name: 'fresh' } }), { 'Content-Type': 'application/json' });
    expect(fresh.status).toBe(201);
    expect(Object.keys(fresh.json).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(fresh.json.metadata.labels).toBeUndefined();
    expect(fresh.json.polluted).toBeUndefined();
  });

  it('keeps __proto__ and constructor as ordinary ConfigMap keys', async () => {
    const body = '{"metadata":{"name":"proto-keys"},"data":{"__proto__":"p","constructor":"c","prototype":"q"}}';
    const created = await send('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, body, { 'Content-Type': 'application/json' });
    expect(created.status).toBe(201);
    const patched = await send('PATCH', `/api/v1/namespaces/${NAMESPACE}/configmaps/proto-keys`, '{"data":{"__proto__":"p2","toString":"t"}}', { 'Content-Type': 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    const got = JSON.parse((await send('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps/proto-keys`)).text);
    expect(Object.keys(got.data).sort()).toEqual(['__proto__', 'constructor', 'prototype', 'toString']);
    expect(Object.getOwnPropertyDescriptor(got.data, '__proto__')?.value).toBe('p2');
    const removed = await send('PATCH', `/api/v1/namespaces/${NAMESPACE}/configmaps/proto-keys`, '[{"op":"remove","path":"/data/__proto__"}]', { 'Content-Type': 'application/json-patch+json' });
    expect(Object.keys(removed.json.data).sort()).toEqual(['constructor', 'prototype', 'toString']);
  });

  it('stores and patches objects nested thousands of levels where a schema keeps unknown fields', async () => {
    const deep = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    // Free-form data is what custom resources keep: a subtree with x-kubernetes-preserve-unknown-fields.
    const path = await defineCRD('deeps', 'Deep', { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } });
    const created = await send('POST', path, `{"apiVersion":"corpus.example.com/v1","kind":"Deep","metadata":{"name":"deep"},"spec":{"x":${deep(9_990)}}}`, { 'Content-Type': 'application/json' });
    expect(created.status, created.text.slice(0, 200)).toBe(201);
    for (const [type, body] of [
      ['application/merge-patch+json', `{"spec":{"y":${deep(9_990)}}}`],
      ['application/json-patch+json', `[{"op":"copy","from":"/spec/x","path":"/spec/w"}]`],
      ['application/apply-patch+yaml', `{"apiVersion":"corpus.example.com/v1","kind":"Deep","metadata":{"name":"deep"},"spec":{"v":${deep(9_990)}}}`],
    ] as const) {
      const res = await send('PATCH', `${path}/deep${type.includes('apply') ? '?fieldManager=t' : ''}`, body, { 'Content-Type': type });
      expect(res.status, `${type}: ${res.text.slice(0, 200)}`).toBe(200);
    }
    const yaml = await send('GET', `${path}/deep`, undefined, { Accept: 'application/yaml' });
    expect(yaml.status).toBe(200);
    const stored = JSON.parse((await send('GET', `${path}/deep`)).text);
    expect(Object.keys(stored.spec).sort()).toEqual(['v', 'w', 'x', 'y']);
    const watch = await send('GET', `${path}?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Ddeep`);
    expect(watch.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['ADDED']);
    expect((await send('DELETE', `${path}/deep`)).status).toBe(200);

    // A built-in kind describes every field: deep unknown ones are walked, reported and dropped, by every patch type.
    const node = await send('POST', '/api/v1/nodes', `{"metadata":{"name":"corpus-deep"},"status":{"x":${deep(9_990)}}}`, { 'Content-Type': 'application/json' });
    expect(node.status).toBe(201);
    expect(node.headers?.warning).toContain('unknown field');
    for (const [type, body] of [
      ['application/merge-patch+json', `{"status":{"y":${deep(9_990)}}}`],
      ['application/strategic-merge-patch+json', `{"status":{"z":${deep(9_990)}}}`],
    ] as const) {
      const res = await send('PATCH', '/api/v1/nodes/corpus-deep', body, { 'Content-Type': type });
      expect(res.status, `${type}: ${res.text.slice(0, 200)}`).toBe(200);
    }
    // Nothing unknown kept: only what Go's NodeStatus always writes (structs held by value).
    expect(Object.keys(JSON.parse((await send('GET', '/api/v1/nodes/corpus-deep')).text).status ?? {})).toEqual(['daemonEndpoints', 'nodeInfo']);
    expect((await send('DELETE', '/api/v1/nodes/corpus-deep')).status).toBe(200);
  });

  it('judges values built to make a pattern backtrack in one pass, and keeps serving', async () => {
    // Each of these once took minutes of a blocked event loop (quadratic backtracking): a
    // printer column's filter literal beside 200,000 spaces, a duration of 200,000 digits, a
    // quantity of 200,000 digits and a letter. Now each is answered like any other value.
    const path = await defineCRD(
      'spans',
      'Span',
      { spec: { type: 'object', properties: { d: { type: 'string', format: 'duration' }, l: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' } } } } } } },
      [{ name: 'Picked', type: 'string', jsonPath: `.spec.l[?(@.x==${' '.repeat(200_000)}"1")].y` }],
    );
    const digits = '1'.repeat(200_000);
    const refused = await send('POST', path, JSON.stringify({ apiVersion: 'corpus.example.com/v1', kind: 'Span', metadata: { name: 'long' }, spec: { d: digits } }), { 'Content-Type': 'application/json' });
    expect(refused.status, refused.text.slice(0, 200)).toBe(422);
    expect(refused.json.message).toMatch(/spec.d in body must be of type duration/);
    const made = await send('POST', path, JSON.stringify({ apiVersion: 'corpus.example.com/v1', kind: 'Span', metadata: { name: 'ok' }, spec: { d: '90s', l: [{ x: '1', y: 'picked' }] } }), { 'Content-Type': 'application/json' });
    expect(made.status, made.text.slice(0, 200)).toBe(201);
    const table = await send('GET', path, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json.rows.map((r: any) => r.cells[1])).toEqual(['picked']);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'long' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: `${digits}x` } } }] } };
    const refusedPod = await send('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, JSON.stringify(pod), { 'Content-Type': 'application/json' });
    expect(refusedPod.status, refusedPod.text.slice(0, 200)).toBe(400);
    expect((await send('DELETE', `${path}/ok`)).status).toBe(200);
    expect((await send('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/spans.corpus.example.com')).status).toBe(200);
  });

  it('applies configurations of tens of thousands of fields without comparing them pairwise', async () => {
    // Server-side apply once compared every applied field with every other: 60,000 keys kept the
    // apiserver busy for over two minutes (a 504). Now the apply is worked out, and etcd's size
    // limit is what refuses it; 20,000 keys, shared by two managers, are applied and taken over.
    const data = (n: number, v: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, v]));
    const apply = (name: string, manager: string, d: Record<string, string>, force = false) =>
      send('PATCH', `/api/v1/namespaces/${NAMESPACE}/configmaps/${name}?fieldManager=${manager}${force ? '&force=true' : ''}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: d }), { 'Content-Type': 'application/apply-patch+yaml' });
    const huge = await apply('huge-apply', 'a', data(60_000, 'v'));
    expect(huge.status, huge.text.slice(0, 200)).toBe(413);
    expect((await apply('wide-apply', 'a', data(20_000, 'v'))).status).toBe(201);
    const conflict = await apply('wide-apply', 'b', data(20_000, 'w'));
    expect(conflict.status).toBe(409);
    expect(conflict.json.message).toMatch(/^Apply failed with 20000 conflicts: conflicts with "a" using v1:\n- .data.k0\n/);
    const taken = await apply('wide-apply', 'b', data(20_000, 'w'), true);
    expect(taken.status).toBe(200);
    expect(taken.json.metadata.managedFields.map((e: any) => e.manager)).toEqual(['b']);
    expect((await send('DELETE', `/api/v1/namespaces/${NAMESPACE}/configmaps/wide-apply`)).status).toBe(200);
  });

  it('answers what the HTTP parser rejects with a Status too', async () => {
    const bigHeader = await send('GET', '/api/v1', undefined, { 'X-Big': 'a'.repeat(100_000) }).catch(() => undefined);
    expect(bigHeader?.status).toBe(431);
    expect(bigHeader?.json).toMatchObject({ kind: 'Status', code: 431, reason: 'RequestHeaderFieldsTooLarge' });
    const malformed = await rawExchange('GARBAGE\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1.1 400/);
    expect(JSON.parse(malformed.slice(malformed.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    const chunks = Array.from({ length: 4 }, () => `100000\r\n${'a'.repeat(0x100000)}\r\n`).join('');
    const chunked = await rawExchange(`POST /api/v1/namespaces/${NAMESPACE}/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`);
    expect(chunked).toMatch(/^HTTP\/1.1 413/);
    expect((await send('GET', '/healthz')).status).toBe(200);
  });

  it('answers selectors naming Object.prototype the same from caches holding bytes only (configmaps, pods) as from parsed ones (services)', async () => {
    const byKind = (plural: string) => kinds.find((k) => k.plural === plural)!;
    for (const k of [byKind('configmaps'), byKind('pods'), byKind('services')]) {
      const all = ((await send('GET', collectionPath(k))).json.items as any[]).map((i) => i.metadata.name).sort();
      const listed = async (query: string) => {
        const res = await send('GET', `${collectionPath(k)}?${query}`);
        expect(res.status, `${k.plural}?${query}: ${res.text.slice(0, 200)}`).toBe(200);
        return (res.json.items as any[]).map((i) => i.metadata.name).sort();
      };
      for (const rv of ['', '&resourceVersion=0']) {
        for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
          expect(await listed(`labelSelector=${key}${rv}`), `${k.plural} ${key}`).toEqual([]);
          expect(await listed(`labelSelector=${key}%3Dx${rv}`), `${k.plural} ${key}=x`).toEqual([]);
          expect(await listed(`labelSelector=!${key}${rv}`), `${k.plural} !${key}`).toEqual(all);
          expect(await listed(`labelSelector=${key}%20notin%20(a)${rv}`), `${k.plural} ${key} notin`).toEqual(all);
          expect(await listed(`fieldSelector=metadata.name%3D${key}${rv}`), `${k.plural} name=${key}`).toEqual([]);
        }
        expect((await send('GET', `${collectionPath(k)}?labelSelector=__proto__${rv}`)).status).toBe(400);
      }
      // A watch filtering on such a key still sees the objects that match.
      const watch = await fetch(`http://127.0.0.1:${api.port}${collectionPath(k)}?watch=1&resourceVersion=0&labelSelector=!constructor&timeoutSeconds=1`);
      const names = (await watch.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l).object.metadata.name).sort();
      expect(names, k.plural).toEqual(all);
    }
  });

  it('keeps its memory bounded', async () => {
    const rss = await metric('process_resident_memory_bytes');
    const heap = await metric('nodejs_heap_size_used_bytes');
    const limit = await metric('nodejs_heap_size_limit_bytes');
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(1024 * 1024 * 1024);
    expect(heap / limit).toBeLessThan(0.5);
  });
});
