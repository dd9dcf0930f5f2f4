// The gRPC probe against a real HTTP/2 server on loopback speaking the health protocol.
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { grpcHealthProbe, healthCheckRequest, servingStatus } from './grpc-health.js';

const servers: Http2Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A health server: `statuses` by service name (numbers as the enum), or a gRPC error, or silence. */
async function healthServer(answer: (service: string) => number | { grpcStatus: number; message: string } | 'hang' | 'flood'): Promise<number> {
  const server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true });
        return;
      }
      const body = Buffer.concat(chunks).subarray(5);
      const service = body.length ? body.subarray(2).toString('utf8') : '';
      const a = answer(service);
      if (a === 'hang') return;
      if (a === 'flood') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.end(Buffer.alloc(1024 * 1024, 1));
        return;
      }
      if (typeof a === 'object') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(a.grpcStatus), 'grpc-message': encodeURIComponent(a.message) }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      const msg = a === 0 ? Buffer.alloc(0) : Buffer.from([0x08, a]);
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(msg.length, 1);
      stream.end(Buffer.concat([frame, msg]));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('gRPC health probe', () => {
  it('encodes the request and reads the serving status as protobuf', () => {
    expect([...healthCheckRequest('')]).toEqual([0, 0, 0, 0, 0]);
    expect([...healthCheckRequest('db')]).toEqual([0, 0, 0, 0, 4, 0x0a, 2, 0x64, 0x62]);
    expect(servingStatus(Buffer.from([0, 0, 0, 0, 2, 0x08, 2]))).toBe('NOT_SERVING');
    expect(servingStatus(Buffer.from([0, 0, 0, 0, 0]))).toBe('UNKNOWN');
  });

  it('is healthy only when the service answers SERVING, with the service name it was given', async () => {
    const port = await healthServer((s) => (s === 'db' ? 2 : 1));
    expect(await grpcHealthProbe('127.0.0.1', port, '', 1000)).toEqual({ ok: true, message: 'service healthy' });
    expect(await grpcHealthProbe('127.0.0.1', port, 'db', 1000)).toEqual({ ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  it('words gRPC errors, servers without the health service, timeouts and refused connections as Kubernetes does', async () => {
    const unimplemented = await healthServer(() => ({ grpcStatus: 12, message: 'unknown service grpc.health.v1.Health' }));
    expect(await grpcHealthProbe('127.0.0.1', unimplemented, '', 1000)).toEqual({ ok: false, message: "this server doesn't implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health" });
    const notFound = await healthServer(() => ({ grpcStatus: 5, message: 'unknown service' }));
    expect(await grpcHealthProbe('127.0.0.1', notFound, 'x', 1000)).toEqual({ ok: false, message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
    const flood = await healthServer(() => 'flood');
    expect(await grpcHealthProbe('127.0.0.1', flood, '', 1000)).toMatchObject({ ok: false, message: expect.stringContaining('code = ResourceExhausted desc = received message larger than max') });
    const hang = await healthServer(() => 'hang');
    expect(await grpcHealthProbe('127.0.0.1', hang, '', 300)).toEqual({ ok: false, message: 'timeout: health rpc did not complete within 0.3s' });
    const closed = await healthServer(() => 1);
    await new Promise((r) => servers.pop()!.close(r));
    const refused = await grpcHealthProbe('127.0.0.1', closed, '', 1000);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^timeout: failed to connect service "127\.0\.0\.1:\d+" within 1s: connect ECONNREFUSED/);
  });
});
