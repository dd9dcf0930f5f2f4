// HTTP and TCP handlers against real local servers: the status decides, HTTPS probes do not
// verify the pod's certificate (as Kubernetes' prober), headers are sent, and a server that
// never answers fails the probe when its timeout ends (instead of holding it forever).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTLSServer } from 'node:https';
import { createServer as createTCPServer, type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { runHandler, type HandlerTarget } from './handlers.js';

const runtime = {} as ContainerRuntime; // exec handlers only
const target: HandlerTarget = { id: 'c1', container: { name: 'c', image: 'busybox', ports: [{ name: 'web', containerPort: 1 }] }, podIP: '127.0.0.1' };
const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(server: Server | ReturnType<typeof createTCPServer>): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('container handlers', () => {
  it('an HTTP GET passes on 2xx and 3xx, fails on 4xx and 5xx, and sends the probe headers', async () => {
    let seen: IncomingHttpHeaders = {};
    const port = await listen(
      createServer((req, res) => {
        seen = req.headers;
        res.statusCode = Number(req.url!.slice(1));
        res.end('x');
      }),
    );
    const get = (path: string) => runHandler(runtime, { httpGet: { path, port, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target, 2000);
    expect(await get('/200')).toEqual({ ok: true, message: '' });
    // A redirect with nowhere to go passes, with a warning.
    expect(await get('/302')).toEqual({ ok: true, message: '', warning: 'Probe terminated redirects, Response body: x' });
    expect(await get('/404')).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 404' });
    expect(await get('/503')).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
    expect(seen['user-agent']).toBe('kube-probe/1.32');
    expect(seen['x-probe']).toBe('yes');
  });

  it('an HTTPS GET does not verify the pod certificate', async () => {
    const ca = await createCA('pod-ca');
    const cert = await issue(ca, { commonName: 'pod' }, { usages: ['server'], dnsNames: ['pod.example'] });
    const port = await listen(createTLSServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end('ok')));
    expect(await runHandler(runtime, { httpGet: { path: '/', port, scheme: 'HTTPS' } }, target, 2000)).toEqual({ ok: true, message: '' });
  });

  it('a server that never answers fails the probe at its timeout', async () => {
    const port = await listen(createServer(() => undefined));
    const r = await runHandler(runtime, { httpGet: { path: '/', port } }, target, 300);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^Get "http:\/\/127.0.0.1:\d+\/": /);
  });

  it('an answer that came in time passes, though the kubelet was too busy to read it before the timeout', async () => {
    // The pod's server runs on a thread of its own: it tells this thread it has the request,
    // this thread then stays busy past the probe's timeout, and the answer comes meanwhile.
    const worker = new Worker(
      `const { createServer } = require('node:http');
      const { parentPort } = require('node:worker_threads');
      const s = createServer((req, res) => { parentPort.postMessage('request'); setTimeout(() => res.end('ok'), 50); });
      s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));`,
      { eval: true },
    );
    try {
      const [port] = (await once(worker, 'message')) as [number];
      worker.once('message', () => {
        const until = Date.now() + 600;
        while (Date.now() < until) {
          // busy
        }
      });
      expect(await runHandler(runtime, { httpGet: { path: '/', port } }, target, 300)).toEqual({ ok: true, message: '' });
    } finally {
      await worker.terminate();
    }
  });

  it('a TCP connect passes when something listens, by port name too, and fails when nothing does', async () => {
    const port = await listen(createTCPServer((s) => s.end()));
    expect(await runHandler(runtime, { tcpSocket: { port } }, target, 1000)).toEqual({ ok: true, message: '' });
    const named = { ...target, container: { ...target.container, ports: [{ name: 'web', containerPort: port }] } };
    expect(await runHandler(runtime, { tcpSocket: { port: 'web' } }, named, 1000)).toEqual({ ok: true, message: '' });
    servers.splice(0).forEach((s) => s.close());
    expect((await runHandler(runtime, { tcpSocket: { port } }, target, 1000)).ok).toBe(false);
  });
});

describe('the sleep action of lifecycle hooks', () => {
  it('waits its seconds, and fails when the grace period ends first', async () => {
    const started = Date.now();
    expect(await runHandler(runtime, { sleep: { seconds: 1 } }, target, 5000)).toEqual({ ok: true, message: '' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(await runHandler(runtime, { sleep: { seconds: 30 } }, target, 50)).toEqual({ ok: false, message: 'container terminated before sleep hook finished' });
  });
});

describe('HTTP probes and redirects', () => {
  it('follow redirects on the probed host, and judge where they lead', async () => {
    const port = await listen(
      createServer((req, res) => {
        const [path, query] = req.url!.split('?');
        if (path === '/redirect') {
          res.writeHead(302, { location: decodeURIComponent(query!.slice('loc='.length)) });
          return res.end();
        }
        if (path === '/loop') {
          res.writeHead(302, { location: '/loop' });
          return res.end();
        }
        res.statusCode = path === '/healthz' ? 500 : 200;
        res.end('ok');
      }),
    );
    const get = (path: string) => runHandler(runtime, { httpGet: { path, port } }, target, 2000);
    expect(await get(`/redirect?loc=${encodeURIComponent('/ready')}`)).toEqual({ ok: true, message: '' });
    // A local redirect to a failing path fails the probe (Kubernetes restarts on it).
    expect(await get(`/redirect?loc=${encodeURIComponent('/healthz')}`)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 500' });
    expect((await get('/loop')).message).toMatch(/stopped after 10 redirects$/);
    // Another host is not followed: the probe passes with a warning.
    const away = await get(`/redirect?loc=${encodeURIComponent('http://example.invalid/')}`);
    expect(away).toMatchObject({ ok: true, warning: 'Probe terminated redirects, Response body: ' });
  });
});
