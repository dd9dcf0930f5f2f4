import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSignedServingCert } from '../../component-base/serving-cert.js';
import type { KVStore } from '../storage/kv.js';
import { ComponentStatuses, probeHttp } from './component-statuses.js';

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const etcd = (fails?: string) => ({ ping: async () => { if (fails) throw new Error(fails); } }) as unknown as KVStore;

describe('component status probes', () => {
  it('reports 2xx and 3xx as healthy with the body as message, others as unhealthy', async () => {
    const ok = await serve((_q, s) => s.writeHead(200).end('ok'));
    const moved = await serve((_q, s) => s.writeHead(302, { location: '/elsewhere' }).end());
    const sick = await serve((_q, s) => s.writeHead(500).end('[-]leader-election failed'));
    const empty = await serve((_q, s) => s.writeHead(503).end());
    expect(await probeHttp({ scheme: 'http', host: '127.0.0.1', port: ok, path: '/healthz' })).toEqual({ status: 'True', message: 'ok' });
    expect((await probeHttp({ scheme: 'http', host: '127.0.0.1', port: moved, path: '/healthz' })).status).toBe('True');
    expect(await probeHttp({ scheme: 'http', host: '127.0.0.1', port: sick, path: '/healthz' })).toEqual({ status: 'False', message: '[-]leader-election failed' });
    expect(await probeHttp({ scheme: 'http', host: '127.0.0.1', port: empty, path: '/healthz' })).toEqual({ status: 'False', message: 'HTTP probe failed with statuscode: 503' });
  });

  it('probes HTTPS without checking the certificate, as Kubernetes probes the components\' self-signed ports', async () => {
    const cert = await selfSignedServingCert({ name: 'probe-test', commonName: 'localhost', hosts: ['localhost'], ips: ['127.0.0.1'] });
    const s = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_q, r) => r.writeHead(200).end('ok'));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    expect(await probeHttp({ scheme: 'https', host: '127.0.0.1', port, path: '/healthz' })).toEqual({ status: 'True', message: 'ok' });
    expect((await probeHttp({ scheme: 'http', host: '127.0.0.1', port, path: '/healthz' }, 500)).status).toBe('False');
  });

  it('keeps at most 10 KB of a huge answer, gives up on one that never comes, and words a refusal as Go does', async () => {
    const huge = await serve((_q, s) => s.writeHead(200).end('x'.repeat(5_000_000)));
    const res = await probeHttp({ scheme: 'http', host: '127.0.0.1', port: huge, path: '/healthz' });
    expect(res.status).toBe('True');
    expect(res.message!.length).toBe(10 * 1024);
    const trickle = await serve((_q, s) => {
      s.writeHead(200);
      const t = setInterval(() => s.write('.'), 20);
      s.on('close', () => clearInterval(t));
    });
    const slow = await probeHttp({ scheme: 'http', host: '127.0.0.1', port: trickle, path: '/healthz' }, 300);
    expect(slow.status).toBe('False');
    const silent = await serve(() => undefined);
    const hung = await probeHttp({ scheme: 'http', host: '127.0.0.1', port: silent, path: '/healthz' }, 200);
    expect(hung.status).toBe('False');
    expect(hung.message).toContain('Client.Timeout exceeded');
    const closed = await serve(() => undefined);
    servers.pop()!.close();
    expect(await probeHttp({ scheme: 'http', host: '127.0.0.1', port: closed, path: '/healthz' })).toEqual({
      status: 'False',
      message: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    });
  });

  it('names the components and etcd-0, reports etcd failures as the error, and knows no other name', async () => {
    const port = await serve((_q, s) => s.writeHead(200).end('ok'));
    const statuses = new ComponentStatuses(etcd('context deadline exceeded'), { scheduler: { scheme: 'http', host: '127.0.0.1', port, path: '/healthz' } }, 500);
    expect((await statuses.list()).map((o) => [o.metadata.name, (o as any).conditions])).toEqual([
      ['etcd-0', [{ type: 'Healthy', status: 'False', error: 'context deadline exceeded' }]],
      ['scheduler', [{ type: 'Healthy', status: 'True', message: 'ok' }]],
    ]);
    expect((await new ComponentStatuses(etcd(), {}).get('etcd-0'))).toMatchObject({ kind: 'ComponentStatus', apiVersion: 'v1', conditions: [{ status: 'True', message: 'ok' }] });
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'etcd-1', '']) expect(await statuses.get(name)).toBeUndefined();
  });
});
