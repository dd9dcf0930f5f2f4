// `kubectl get componentstatuses` (v1 ComponentStatus, deprecated but served): the apiserver
// probes the scheduler and the controller-manager on their default secure ports (HTTPS, their
// certificates not checked) and etcd, at each request. Here a real scheduler serves 10259 and
// nothing serves 10257.
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

let api: ApiServerHandle;
let scheduler: Proc;
let kubectl: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  kubectl = kubectlFor(api.url);
  scheduler = startComponent('scheduler', ['--master', api.url, '--leader-elect=false', '--bind-address', '127.0.0.1', '--secure-port', '10259']);
  const insecure = new Agent({ connect: { rejectUnauthorized: false } });
  await waitFor('the scheduler on 10259', async () => ((await request('https://127.0.0.1:10259/healthz', { dispatcher: insecure }).catch(() => undefined))?.statusCode === 200 ? true : undefined), 30_000);
  await insecure.close();
});
afterAll(async () => {
  await scheduler?.stop();
  await api?.stop();
});

describe('component statuses', () => {
  it('kubectl get cs shows each component probed now, with the deprecation warning', async () => {
    const res = await kubectl.run(['get', 'componentstatuses']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('Warning: v1 ComponentStatus is deprecated in v1.19+');
    const rows = res.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+MESSAGE\s+ERROR\s*$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'controller-manager Unhealthy Get',
      'etcd-0 Healthy ok',
      'scheduler Healthy ok',
    ]);
    expect(rows[1]).toContain('Get "https://127.0.0.1:10257/healthz": dial tcp 127.0.0.1:10257: connect: connection refused');
  });

  it('serves one by name, by short name, with selectors, and refuses what it does not have', async () => {
    const one = JSON.parse(await kubectl.ok(['get', 'cs', 'scheduler', '-o', 'json'])) as Record<string, any>;
    expect(one).toMatchObject({ kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'scheduler' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
    const etcd = JSON.parse(await kubectl.ok(['get', 'componentstatus', 'etcd-0', '-o', 'json'])) as Record<string, any>;
    expect(etcd.conditions).toEqual([{ type: 'Healthy', status: 'True', message: 'ok' }]);

    expect(await kubectl.ok(['get', 'cs', '--field-selector', 'metadata.name=etcd-0', '-o', 'name'])).toBe('componentstatus/etcd-0\n');
    const none = await kubectl.run(['get', 'cs', '-l', 'tier=control-plane']);
    expect(none.stderr).toContain('No resources found');

    const missing = await kubectl.run(['get', 'cs', 'nosuch']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('componentstatuses "nosuch" not found');

    // Read-only: no create, delete or watch; unknown field selectors are refused as for any kind.
    const post = await fetch(`${api.url}/api/v1/componentstatuses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'x' } }) });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed' });
    expect((await fetch(`${api.url}/api/v1/componentstatuses/etcd-0`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${api.url}/api/v1/componentstatuses?watch=1`)).status).toBe(405);
    const badField = await fetch(`${api.url}/api/v1/componentstatuses?fieldSelector=${encodeURIComponent('status.phase=x')}`);
    expect(badField.status).toBe(400);
  });

  it('answers hostile names and selectors with a Status, and keeps serving', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'.repeat(300), '%00', '%E2%80%AE', 'etcd-0%00']) {
      const res = await fetch(`${api.url}/api/v1/componentstatuses/${name}`);
      expect([400, 404], name).toContain(res.status);
      expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Failure' });
    }
    for (const q of ['labelSelector=a%20in%20(', 'labelSelector=' + '('.repeat(5000), 'fieldSelector=spec.nodeName%3Dx', 'fieldSelector=' + encodeURIComponent('metadata.name=a,'.repeat(2000))]) {
      const res = await fetch(`${api.url}/api/v1/componentstatuses?${q}`);
      expect(res.status, q.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(res.status, q.slice(0, 40)).toBeLessThan(500);
    }
    expect((await fetch(`${api.url}/api/v1/componentstatuses/etcd-0`)).status).toBe(200);
  });

  it('is listed by discovery as a read-only, cluster-scoped resource named cs', async () => {
    const core = (await (await fetch(`${api.url}/api/v1`)).json()) as { resources: Array<Record<string, any>> };
    expect(core.resources.find((r) => r.name === 'componentstatuses')).toMatchObject({ kind: 'ComponentStatus', namespaced: false, verbs: ['get', 'list'], shortNames: ['cs'] });
  });
});
