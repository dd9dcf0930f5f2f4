// The gRPC transport against a local HTTP/2 server that answers as etcd would, or fails as a
// broken etcd or network would: each failure must come out with the code and words that
// errors.ts reads to decide whether a write may have been applied.
import { constants, createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from './errors.js';
import { GrpcConnection, GrpcError, GrpcStatus } from './grpc.js';

const frame = (body: Buffer) => {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
};

type Handler = (stream: ServerHttp2Stream, path: string, request: Buffer) => void;

const servers: Http2Server[] = [];
const connections: GrpcConnection[] = [];

async function server(handle: Handler): Promise<string> {
  const s = createServer();
  s.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => {
      // Streams (Watch) get each request as it comes (one frame per write here); unary calls once they end.
      if (headers[':path'] === '/stream') handle(stream, String(headers[':path']), c.subarray(5));
      else chunks.push(c);
    });
    stream.on('end', () => headers[':path'] !== '/stream' && handle(stream, String(headers[':path']), Buffer.concat(chunks).subarray(5)));
    stream.on('error', () => {});
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function connection(url: string): GrpcConnection {
  const c = new GrpcConnection(url);
  connections.push(c);
  return c;
}

function ok(stream: ServerHttp2Stream, ...messages: Buffer[]): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  for (const m of messages) stream.write(frame(m));
  stream.end();
}

const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('the call succeeded'), (err: unknown) => err as GrpcError);

afterEach(() => {
  for (const c of connections.splice(0)) c.close();
  for (const s of servers.splice(0)) s.close();
});

describe('gRPC calls to etcd', () => {
  it('sends the request as one framed message and gets the answer, over one connection', async () => {
    const seen: string[] = [];
    const url = await server((stream, path, req) => {
      seen.push(`${path} ${req.toString()}`);
      ok(stream, Buffer.from(`answer to ${req.toString()}`));
    });
    const c = connection(url);
    const answers = await Promise.all(['a', 'b', 'c'].map((x) => c.unary('/etcdserverpb.KV/Range', frame(Buffer.from(x)), Date.now() + 2000)));
    expect(answers.map(String)).toEqual(['answer to a', 'answer to b', 'answer to c']);
    expect(seen.sort()).toEqual(['/etcdserverpb.KV/Range a', '/etcdserverpb.KV/Range b', '/etcdserverpb.KV/Range c']);
  });

  it("keeps etcd's own refusal, code and message, as a definite answer", async () => {
    const url = await server((stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '11', 'grpc-message': encodeURIComponent('etcdserver: mvcc: required revision has been compacted') }, { endStream: true }));
    const err = await failure(connection(url).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000));
    expect(err).toBeInstanceOf(GrpcError);
    expect(err.code).toBe(11);
    expect(err.details).toBe('etcdserver: mvcc: required revision has been compacted');
    expect(classify(err)).toBe('definite');
  });

  it('says a call never reached etcd when nothing listens, and that it may have when the answer is lost', async () => {
    const closed = await server(() => {});
    const port = closed.split(':').pop();
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const refused = await failure(connection(`http://127.0.0.1:${port}`).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000));
    expect(refused.details).toMatch(/^No connection established: .*ECONNREFUSED/);
    expect(classify(refused)).toBe('unreachable');

    const reset = await server((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    const lost = await failure(connection(reset).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000));
    expect(lost.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(lost.details).toMatch(/connection to etcd lost/);
    expect(classify(lost)).toBe('ambiguous');

    const refusedStream = await server((stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM));
    expect(classify(await failure(connection(refusedStream).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000)))).toBe('unreachable');
  });

  it('gives up at the deadline and cancels the call on the wire', async () => {
    let cancelled = false;
    const url = await server((stream) => stream.on('close', () => (cancelled = stream.rstCode === constants.NGHTTP2_CANCEL)));
    const started = Date.now();
    const err = await failure(connection(url).unary('/x', frame(Buffer.alloc(0)), Date.now() + 300));
    expect(err.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(classify(err)).toBe('ambiguous');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await new Promise((r) => setTimeout(r, 100));
    expect(cancelled).toBe(true);
  });

  it('refuses an answer that is not one whole message, or not gRPC at all', async () => {
    const two = await server((stream) => ok(stream, Buffer.from('a'), Buffer.from('b')));
    expect((await failure(connection(two).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000))).code).toBe(GrpcStatus.INTERNAL);
    const cut = await server((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frame(Buffer.from('whole')).subarray(0, 7));
    });
    expect((await failure(connection(cut).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000))).code).toBe(GrpcStatus.INTERNAL);
    const proxyError = await server((stream) => stream.respond({ ':status': 503 }, { endStream: true }));
    const err = await failure(connection(proxyError).unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000));
    expect(err.code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('opens the connection again after it breaks', async () => {
    let calls = 0;
    const url = await server((stream) => {
      calls++;
      if (calls === 1) stream.session?.destroy();
      else ok(stream, Buffer.from('fine'));
    });
    const c = connection(url);
    expect(classify(await failure(c.unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000)))).toBe('ambiguous');
    expect(String(await c.unary('/x', frame(Buffer.alloc(0)), Date.now() + 2000))).toBe('fine');
  });

  it('streams messages both ways and reports how the stream ended', async () => {
    const url = await server((stream, _path, req) => {
      if (!stream.headersSent) stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      // Echo each request twice, as two messages in one write.
      stream.write(Buffer.concat([frame(Buffer.from(`1:${req}`)), frame(Buffer.from(`2:${req}`))]));
      if (req.toString() === 'bye') {
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '1', 'grpc-message': 'done' }));
        stream.end();
      }
    });
    const got: string[] = [];
    const closed = new Promise<GrpcError>((resolve) => {
      const s = connection(url).stream('/stream', frame(Buffer.from('hi')), { onMessage: (m) => got.push(m.toString()), onClose: resolve });
      setTimeout(() => s.write(frame(Buffer.from('bye'))), 50);
    });
    const end = await closed;
    expect(got).toEqual(['1:hi', '2:hi', '1:bye', '2:bye']);
    expect(end.code).toBe(GrpcStatus.CANCELLED);
    expect(end.details).toBe('done');
  });
});
