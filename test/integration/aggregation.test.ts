// APIServices and API aggregation against real etcd and the apiserver process: every group
// version the server serves has a local APIService, Available; a service-backed one is
// Available once its Service has endpoints and its server answers discovery, its group
// shows up in discovery, and its requests (as kubectl sends them) are relayed to it over
// HTTPS, trusted by spec.caBundle, presenting the front proxy's client certificate with the
// caller's identity in X-Remote-User. The backend is a server this test runs on loopback.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { selfSignedServingCert } from '../../component-base/serving-cert.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { restCaller } from '../harness/rest.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;
let backend: Server;
let caPem = '';
let frontProxyCaPem = '';
const seen: Array<{ path: string; user?: string; proxy?: string }> = [];

const GROUP = 'metrics.example.com';

beforeAll(async () => {
  // The front proxy's identity, as the launcher makes it: a CA of its own and a client certificate.
  const dir = mkdtempSync(join(tmpdir(), 'kubette-front-proxy-'));
  const frontProxyCA = await createCA('test-front-proxy-ca');
  const client = await issue(frontProxyCA, { commonName: 'front-proxy-client' }, { usages: ['client'] });
  frontProxyCaPem = frontProxyCA.certPem;
  writeFileSync(join(dir, 'ca.crt'), frontProxyCA.certPem);
  writeFileSync(join(dir, 'client.crt'), client.certPem);
  writeFileSync(join(dir, 'client.key'), client.keyPem);
  api = await startApiServer({
    etcd: inject('etcdEndpoint'),
    args: ['--proxy-client-cert-file', join(dir, 'client.crt'), '--proxy-client-key-file', join(dir, 'client.key'), '--requestheader-client-ca-file', join(dir, 'ca.crt'), '--requestheader-allowed-names', 'front-proxy-client'],
  });
  const cert = await selfSignedServingCert({ name: 'backend', commonName: 'backend', hosts: ['localhost'], ips: ['127.0.0.1'] });
  caPem = cert.caPem;
  // An aggregated server checks the front proxy's certificate before it believes X-Remote-User.
  backend = createServer({ cert: cert.certPem, key: cert.keyPem, ca: frontProxyCaPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push({ path: req.url ?? '', user: req.headers['x-remote-user'] as string | undefined, proxy: String(peer?.subject?.CN ?? '') });
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const url = new URL(req.url ?? '/', 'https://backend');
    if (url.pathname === `/apis/${GROUP}/v1beta1`) {
      return json({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${GROUP}/v1beta1`, resources: [{ name: 'gauges', singularName: 'gauge', namespaced: true, kind: 'Gauge', verbs: ['get', 'list'] }] });
    }
    if (url.pathname === `/apis/${GROUP}/v1beta1/namespaces/default/gauges`) {
      return json({ kind: 'GaugeList', apiVersion: `${GROUP}/v1beta1`, metadata: {}, items: [{ kind: 'Gauge', apiVersion: `${GROUP}/v1beta1`, metadata: { name: 'cpu', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, value: 42 }] });
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'no such thing' }));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  backend?.close();
  await api?.stop();
});

const call = restCaller(() => api.url);

const available = (a: any) => a?.status?.conditions?.find((c: any) => c.type === 'Available');

describe('APIServices', () => {
  it('publishes how aggregated servers authenticate it, in kube-system/extension-apiserver-authentication', async () => {
    const cm = (await call('GET', '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication')).json;
    expect(cm.data['requestheader-client-ca-file']).toBe(frontProxyCaPem);
    expect(JSON.parse(cm.data['requestheader-allowed-names'])).toEqual(['front-proxy-client']);
    expect(JSON.parse(cm.data['requestheader-username-headers'])).toEqual(['X-Remote-User']);
    expect(JSON.parse(cm.data['requestheader-group-headers'])).toEqual(['X-Remote-Group']);
    const reader = (await call('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/extension-apiserver-authentication-reader')).json;
    expect(reader.rules).toEqual([{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'] }]);
  });

  it('has a local, Available APIService for every group version served', async () => {
    const list = (await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices')).json;
    const names = list.items.map((a: any) => a.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['v1.', 'v1.apps', 'v2.autoscaling', 'v1.autoscaling', 'v1.apiregistration.k8s.io']));
    const apps = list.items.find((a: any) => a.metadata.name === 'v1.apps');
    expect(apps.spec).toMatchObject({ group: 'apps', version: 'v1', groupPriorityMinimum: 17800 });
    expect(available(apps)).toMatchObject({ status: 'True', reason: 'Local' });
    const table = await kubectlFor(api.url).ok(['get', 'apiservices', 'v1.apps']);
    expect(table).toMatch(/^NAME\s+SERVICE\s+AVAILABLE\s+AGE\nv1\.apps\s+Local\s+True\s+/);
  });

  it('relays a service-backed group version to its Service, and serves it in discovery', async () => {
    const port = (backend.address() as AddressInfo).port;
    await call('POST', '/api/v1/namespaces/default/services', { metadata: { name: 'metrics' }, spec: { ports: [{ port: 443, targetPort: port }] } });
    const apiservice = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `v1beta1.${GROUP}` },
      spec: { group: GROUP, version: 'v1beta1', service: { namespace: 'default', name: 'metrics' }, caBundle: Buffer.from(caPem).toString('base64'), groupPriorityMinimum: 100, versionPriority: 100 },
    };
    expect((await call('POST', '/apis/apiregistration.k8s.io/v1/apiservices', apiservice)).status).toBe(201);
    // No endpoints yet.
    const missing = await waitFor('MissingEndpoints', async () => available((await call('GET', `/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.${GROUP}`)).json)?.reason === 'MissingEndpoints' || undefined, 15_000);
    expect(missing).toBe(true);
    // The backend's address, as a Service without selector is given one (a loopback server this test runs).
    await call('POST', '/api/v1/namespaces/default/endpoints', { metadata: { name: 'metrics' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }] });
    await waitFor('Available', async () => available((await call('GET', `/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.${GROUP}`)).json)?.status === 'True' || undefined, 15_000);

    const listed = await call('GET', `/apis/${GROUP}/v1beta1/namespaces/default/gauges`);
    expect(listed.status).toBe(200);
    expect(listed.json.items[0]).toMatchObject({ kind: 'Gauge', value: 42 });
    expect(seen.some((s) => s.path.startsWith(`/apis/${GROUP}/v1beta1/namespaces/default/gauges`) && s.user === 'system:unsecured' && s.proxy === 'front-proxy-client')).toBe(true);
    expect((await call('GET', `/apis/${GROUP}/v1beta1/namespaces/default/gauges/none`)).json).toMatchObject({ code: 404, message: 'no such thing' });
    expect((await call('GET', `/apis/${GROUP}/v1beta1`)).json.resources[0].name).toBe('gauges');
    expect((await call('GET', '/apis')).json.groups.map((g: any) => g.name)).toContain(GROUP);

    // kubectl finds the resource through aggregated discovery and reads it.
    const out = await kubectlFor(api.url).ok(['get', `gauges.${GROUP}`, '-o', 'jsonpath={.items[0].value}']);
    expect(out).toBe('42');
    expect(await kubectlFor(api.url).ok(['get', 'apiservices', `v1beta1.${GROUP}`])).toMatch(/default\/metrics\s+True/);
  });
});
