// The audit log through the real routes (fastify inject over MemoryKV): which requests are
// logged, at which level and stages, and that Secret bodies never are by default.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../app.js';
import { MemoryKV } from '../storage/memory-kv.js';
import { DEFAULT_POLICY, evaluate, parseAuditPolicy } from './policy.js';
import { requestAttributes } from '../authz/request-info.js';

type Event = Record<string, any>;

async function withAudit(policyText: string | undefined, requests: Array<{ method: 'GET' | 'POST' | 'DELETE'; url: string; body?: unknown; headers?: Record<string, string> }>) {
  const file = join(mkdtempSync(join(tmpdir(), 'kubette-audit-')), 'audit.log');
  const server = build({ storage: new MemoryKV(), etcdCompactionIntervalMs: 0, audit: { path: file, policy: policyText ? parseAuditPolicy(policyText) : DEFAULT_POLICY } });
  await server.ready;
  const answers = [];
  for (const r of requests) {
    answers.push(await server.app.inject({ method: r.method, url: r.url, headers: { ...(r.body ? { 'content-type': 'application/json' } : {}), ...(r.headers ?? {}) }, payload: r.body ? JSON.stringify(r.body) : undefined }));
  }
  await server.close();
  await new Promise((r) => setTimeout(r, 50)); // the stream's last write
  const events = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
  return { events, answers };
}

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2' } };

describe('audit', () => {
  it('by default logs every request at Metadata, once complete, never a Secret body', async () => {
    const { events, answers } = await withAudit(undefined, [
      { method: 'POST', url: '/api/v1/namespaces/default/secrets', body: secret },
      { method: 'GET', url: '/api/v1/namespaces/default/secrets/db' },
    ]);
    const ours = events.filter((e) => e.objectRef?.resource === 'secrets');
    expect(ours.map((e) => [e.verb, e.stage, e.level, e.responseStatus.code])).toEqual([
      ['create', 'ResponseComplete', 'Metadata', 201],
      ['get', 'ResponseComplete', 'Metadata', 200],
    ]);
    expect(ours[0]).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      requestURI: '/api/v1/namespaces/default/secrets',
      user: { username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] },
      objectRef: { resource: 'secrets', namespace: 'default', apiVersion: 'v1' },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(ours[0]!.auditID).toBe(answers[0]!.headers['audit-id']);
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });

  it('follows a policy: levels per resource and user, bodies at Request and RequestResponse, stages left out', async () => {
    const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*"]
  - level: RequestResponse
    resources: [{group: "", resources: [configmaps]}]
  - level: Request
    verbs: [delete]
  - level: Metadata
    omitStages: [RequestReceived]
`;
    const { events } = await withAudit(policy, [
      { method: 'GET', url: '/healthz' },
      { method: 'POST', url: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } } },
      { method: 'DELETE', url: '/api/v1/namespaces/default/configmaps/missing', body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } },
      { method: 'GET', url: '/api/v1/namespaces/default/pods', headers: { 'Impersonate-User': 'jane' } },
    ]);
    expect(events.some((e) => e.requestURI === '/healthz')).toBe(false);
    const create = events.filter((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps');
    expect(create.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
    expect(create[1]).toMatchObject({ level: 'RequestResponse', requestObject: { data: { a: '1' } }, responseObject: { kind: 'ConfigMap', metadata: { name: 'c' } } });
    const del = events.find((e) => e.verb === 'delete' && e.stage === 'ResponseComplete')!;
    expect(del).toMatchObject({ level: 'RequestResponse', responseStatus: { code: 404, status: 'Failure', reason: 'NotFound' } });
    const listed = events.filter((e) => e.verb === 'list' && e.objectRef?.resource === 'pods');
    expect(listed.map((e) => e.stage)).toEqual(['ResponseComplete']);
    expect(listed[0]).toMatchObject({
      level: 'Metadata',
      user: { username: 'system:unsecured' },
      impersonatedUser: { username: 'jane' },
      responseStatus: { code: 403, reason: 'Forbidden' },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
    });
  });

  it('matches policy rules by user, group, verb, namespace and resource', () => {
    const p = parseAuditPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - {level: None, users: ["system:kube-proxy"], verbs: [watch]}
  - {level: RequestResponse, userGroups: [admins], namespaces: [prod]}
  - {level: Request, resources: [{group: apps, resources: ["deployments/scale"]}]}
  - {level: Metadata, resources: [{group: "", resources: [secrets], resourceNames: [db]}]}
`);
    const jane = { name: 'jane', groups: ['admins'] };
    const proxy = { name: 'system:kube-proxy', groups: [] };
    const at = (u: typeof jane, method: string, path: string, watch?: string) => evaluate(p, u, requestAttributes(method, path, watch)).level;
    expect(at(proxy, 'GET', '/api/v1/services', 'true')).toBe('None');
    expect(at(jane, 'GET', '/api/v1/namespaces/prod/pods')).toBe('RequestResponse');
    expect(at(jane, 'GET', '/api/v1/namespaces/dev/pods')).toBe('None');
    expect(at(proxy, 'PUT', '/apis/apps/v1/namespaces/dev/deployments/web/scale')).toBe('Request');
    expect(at(proxy, 'GET', '/api/v1/namespaces/dev/secrets/db')).toBe('Metadata');
    expect(at(proxy, 'GET', '/api/v1/namespaces/dev/secrets/other')).toBe('None');
    expect(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]')).toThrow('rules[0].level must be one of');
  });
});
