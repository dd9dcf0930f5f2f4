// The proxy subresources against real pods (Docker) and a real kubelet: kubectl get --raw
// through pods/proxy, services/proxy and nodes/proxy (the kubelet's Summary API among them); what the backend receives (method, path,
// query, body, the caller's headers but never its credentials); redirects leading back through
// the proxy; RBAC on each verb; an Upgrade
// relayed both ways; a Service whose Endpoints were written by hand is not followed.
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '../../client/kubeconfig.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
let api: { host: string; port: number };
const NS = 'proxied';

// httpd with a CGI script that prints what it was asked: method, URI, one header and the body.
const WEB = [
  'mkdir -p /www/cgi-bin',
  'echo hello-from-pod > /www/index.html',
  `echo '<html><head><script src="/app.js"></script></head><body><a href="/cgi-bin/echo">run</a> <a href="docs/">docs</a></body></html>' > /www/page.html`,
  `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\necho "$REQUEST_METHOD $REQUEST_URI probe=$HTTP_X_PROBE"\\ncat\\n' > /www/cgi-bin/echo`,
  'chmod +x /www/cgi-bin/echo',
  'exec httpd -f -p 8080 -h /www',
].join(' && ');
// Answers each request with the request's own head, every header as it arrived.
const HEADERS = `while true; do nc -l -p 9000 -e awk '{ sub(/\\r$/, ""); if ($0 == "") exit; h = h $0 "\\n" } END { printf "HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\n\\r\\n%s", h }'; done`;
// Accepts any Upgrade, then echoes every byte (the request's head first).
const UPGRADE = `while true; do nc -l -p 9001 -e sh -c 'printf "HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n"; exec cat'; done`;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  const server = new URL(loadClientConfig({ kubeconfig: cluster.kubeconfig }).server);
  api = { host: server.hostname, port: Number(server.port) };
  await kubectl.ok(['create', 'namespace', NS]);
  const container = (name: string, command: string, ports: Array<{ containerPort: number; name?: string }> = []) => ({ name, image: 'busybox:1.36', command: ['sh', '-c', command], ports });
  await kubectl.ok(['apply', '-n', NS, '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [container('web', WEB, [{ containerPort: 8080, name: 'http' }]), container('headers', HEADERS), container('upgrade', UPGRADE)],
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'raw', port: 9000 }] } },
      // No selector: its Endpoints are whatever someone writes.
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'handmade' }, spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    ],
  }));
  await kubectl.ok(['wait', '-n', NS, '--for=condition=Ready', 'pod/web', '--timeout=60s']);
  const podIP = (await kubectl.ok(['get', '-n', NS, 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])).trim();
  await kubectl.ok(['apply', '-n', NS, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'handmade' }, subsets: [{ addresses: [{ ip: podIP }], ports: [{ port: 8080 }] }] }));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

const raw = (path: string) => kubectl.run(['get', '--raw', path]);

/** An HTTPS request to the apiserver as a bearer token's holder. */
function asToken(token: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ ...api, method, path, rejectUnauthorized: false, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function serviceAccountToken(name: string, rules: string[][]): Promise<string> {
  await kubectl.ok(['create', 'serviceaccount', '-n', NS, name]);
  for (const [i, [verb, resource]] of rules.entries()) {
    await kubectl.ok(['create', 'role', '-n', NS, `${name}-${i}`, `--verb=${verb}`, `--resource=${resource}`]);
    await kubectl.ok(['create', 'rolebinding', '-n', NS, `${name}-${i}`, `--role=${name}-${i}`, `--serviceaccount=${NS}:${name}`]);
  }
  return (await kubectl.ok(['create', 'token', '-n', NS, name])).trim();
}

describe('the proxy subresources', () => {
  it('kubectl get --raw reaches a pod, a Service (by port name and number) and a node', async () => {
    for (const path of [`pods/web:8080/proxy/`, `pods/web/proxy/index.html`, `services/web:http/proxy/`, `services/web:80/proxy/index.html`]) {
      const res = await raw(`/api/v1/namespaces/${NS}/${path}`);
      expect({ path, out: res.stdout, err: res.stderr }).toEqual({ path, out: 'hello-from-pod\n', err: '' });
    }
    expect((await raw(`/api/v1/nodes/${cluster.nodes[0]}/proxy/healthz`)).stdout).toBe('ok');
    expect((await raw(`/api/v1/nodes/${cluster.nodes[0]}/proxy/metrics`)).stdout).toContain('kubelet_running_pods');
    // The kubelet's Summary API, as kubectl users read it through the node's proxy.
    type Network = { name?: string; rxBytes?: number; txBytes?: number; interfaces: Array<{ name: string; rxBytes: number }> };
    type Fs = { usedBytes: number; capacityBytes?: number; availableBytes?: number };
    const summary = JSON.parse((await raw(`/api/v1/nodes/${cluster.nodes[0]}/proxy/stats/summary`)).stdout) as { node: { nodeName: string; memory: { workingSetBytes: number }; network?: Network }; pods: Array<{ podRef: { name: string; namespace: string }; containers: Array<{ name: string; memory: { workingSetBytes: number }; rootfs?: Fs }>; network?: Network; 'ephemeral-storage'?: Fs }> };
    expect(summary.node.nodeName).toBe(cluster.nodes[0]);
    expect(summary.node.memory.workingSetBytes).toBeGreaterThan(0);
    // The host's interfaces, without loopback and the runtime's own.
    expect(summary.node.network?.interfaces.length).toBeGreaterThan(0);
    expect(summary.node.network!.interfaces.map((i) => i.name)).not.toContain('lo');
    const web = summary.pods.find((p) => p.podRef.name === 'web' && p.podRef.namespace === NS);
    expect(web?.containers.map((c) => c.name)).toEqual(['headers', 'upgrade', 'web']);
    expect(web!.containers.every((c) => c.memory.workingSetBytes > 0)).toBe(true);
    // The pod's own network namespace (its sandbox's eth0) carried the requests just proxied to it.
    expect(web!.network).toMatchObject({ name: 'eth0', interfaces: [expect.objectContaining({ name: 'eth0' })] });
    expect(web!.network!.rxBytes).toBeGreaterThan(0);
    expect(web!.network!.txBytes).toBeGreaterThan(0);
    // Its local storage (its files on the node at least: /etc/hosts, its token) and each container's writable layer, from Docker.
    expect(web!['ephemeral-storage']!.usedBytes).toBeGreaterThan(0);
    expect(web!['ephemeral-storage']!.capacityBytes).toBeGreaterThan(web!['ephemeral-storage']!.usedBytes);
    expect(web!.containers.every((c) => typeof c.rootfs?.usedBytes === 'number')).toBe(true);
    const missingPort = await raw(`/api/v1/namespaces/${NS}/services/web:81/proxy/`);
    expect(missingPort.stderr).toContain('no service port 81 found for service "web"');
    const refused = await raw(`/api/v1/namespaces/${NS}/pods/web:8081/proxy/`);
    expect(refused.stderr).toMatch(/ServiceUnavailable.*error trying to reach service: .*ECONNREFUSED/);
  }, 60_000);

  it('relays the method, path, query, headers and body, but not the credentials the caller used', async () => {
    const token = await serviceAccountToken('prober', [['get,create', 'pods/proxy']]);
    const echoed = await waitFor('the role bound', async () => {
      const res = await asToken(token, 'POST', `/api/v1/namespaces/${NS}/pods/web:8080/proxy/cgi-bin/echo?a=b%2Fc`, { 'x-probe': 'yes', 'content-type': 'text/plain' }, 'the body');
      return res.status === 200 ? res.text : undefined;
    }, 30_000);
    expect(echoed).toBe('POST /cgi-bin/echo?a=b%2Fc probe=yes\nthe body');
    const head = await asToken(token, 'GET', `/api/v1/namespaces/${NS}/pods/web:9000/proxy/any/where?q=1`, { 'x-probe': 'yes', cookie: 'c=1' });
    expect(head.status).toBe(200);
    expect(head.text.split('\n')[0]).toBe('GET /any/where?q=1 HTTP/1.1');
    expect(head.text).toMatch(/^x-probe: yes$/im);
    expect(head.text).toMatch(/^cookie: c=1$/im);
    expect(head.text).toMatch(/^x-forwarded-for: /im);
    expect(head.text).not.toMatch(/authorization|bearer/i);
    expect(head.text).not.toContain(token.slice(-20));
    // A page's links to its own server, and httpd's redirect of a directory to its path with a
    // slash, lead back through the proxy.
    const page = await asToken(token, 'GET', `/api/v1/namespaces/${NS}/pods/web:8080/proxy/page.html`);
    const base = `/api/v1/namespaces/${NS}/pods/web:8080/proxy`;
    expect(page.text).toBe(`<html><head><script src="${base}/app.js"></script></head><body><a href="${base}/cgi-bin/echo">run</a> <a href="docs/">docs</a></body></html>\n`);
    const redirect = await asToken(token, 'GET', `/api/v1/namespaces/${NS}/pods/web:8080/proxy/cgi-bin?x=1`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`/api/v1/namespaces/${NS}/pods/web:8080/proxy/cgi-bin/?x=1`);
  }, 60_000);

  it('authorizes each method as its own verb on the subresource', async () => {
    const token = await serviceAccountToken('reader', [['get,list', 'pods'], ['get', 'pods/proxy']]);
    const get = await waitFor('the roles bound', async () => {
      const res = await asToken(token, 'GET', `/api/v1/namespaces/${NS}/pods/web:8080/proxy/`);
      return res.status === 200 ? res : undefined;
    }, 30_000);
    expect(get.text).toBe('hello-from-pod\n');
    const post = await asToken(token, 'POST', `/api/v1/namespaces/${NS}/pods/web:8080/proxy/cgi-bin/echo`, {}, 'x');
    expect(post.status).toBe(403);
    expect(JSON.parse(post.text).message).toContain('cannot create resource "pods/proxy"');
    const service = await asToken(token, 'GET', `/api/v1/namespaces/${NS}/services/web:http/proxy/`);
    expect(service.status).toBe(403);
    const node = await asToken(token, 'GET', `/api/v1/nodes/${cluster.nodes[0]}/proxy/healthz`);
    expect(node.status).toBe(403);
  }, 60_000);

  it('relays an Upgrade both ways, without the credentials', async () => {
    const token = await serviceAccountToken('upgrader', [['get', 'pods/proxy']]);
    await waitFor('the role bound', async () => (await asToken(token, 'GET', `/api/v1/namespaces/${NS}/pods/web:8080/proxy/`)).status === 200, 30_000);
    const socket = connect({ ...api, rejectUnauthorized: false });
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(`GET /api/v1/namespaces/${NS}/pods/web:9001/proxy/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: echo\r\nX-Probe: up\r\n\r\n`);
    await waitFor('the echoed request head', async () => received.includes('X-Probe: up'), 20_000);
    expect(received.startsWith('HTTP/1.1 101 Switching Protocols\r\n')).toBe(true);
    expect(received).toContain('GET /stream HTTP/1.1\r\n');
    expect(received).not.toMatch(/authorization/i);
    socket.write('ping over the upgraded connection\n');
    await waitFor('the echo', async () => received.includes('ping over the upgraded connection\n'), 20_000);
    socket.destroy();
  }, 60_000);

  it('does not follow Endpoints written by hand to an address no pod behind them owns', async () => {
    const res = await raw(`/api/v1/namespaces/${NS}/services/handmade/proxy/`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('no endpoints available for service "handmade"');
  }, 30_000);
});
