// The SPDY session against a client written from the specification here: stream setup and
// reply, data both ways with half-close, keep-alive pings, and hostile input that must end the
// session without throwing; and port-forward on top of it delivering every byte.
import { Duplex, PassThrough } from 'node:stream';
import { constants, createDeflate, createInflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PortConnection } from '../runtime/runtime.js';
import { serveSpdyPortForward } from './port-forward.js';
import { headerBlock, MAX_HEADER_BLOCK, parseHeaderBlock, SPDY_DICTIONARY, SpdySession, type SpdyStream } from './spdy.js';

/** Two connected in-memory duplexes: what one writes the other reads. */
function pipePair(): [Duplex, Duplex] {
  const ab = new PassThrough();
  const ba = new PassThrough();
  const a = Duplex.from({ readable: ba, writable: ab });
  const b = Duplex.from({ readable: ab, writable: ba });
  // A session destroys its end a second after it closes; destroying one of these pairs aborts
  // the other end too, which a socket's peer would see as a reset, not an exception.
  for (const end of [a, b]) end.on('error', () => undefined);
  return [a, b];
}

function compressor() {
  const deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  return (block: Buffer) =>
    new Promise<Buffer>((resolve) => {
      const out: Buffer[] = [];
      const on = (c: Buffer) => out.push(c);
      deflate.on('data', on);
      deflate.write(block);
      deflate.flush(constants.Z_SYNC_FLUSH, () => {
        deflate.off('data', on);
        resolve(Buffer.concat(out));
      });
    });
}

function control(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(body.length, 4);
  head[4] = flags;
  return Buffer.concat([head, body]);
}

function data(id: number, payload: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(id, 0);
  head.writeUInt32BE(payload.length, 4);
  head[4] = fin ? 1 : 0;
  return Buffer.concat([head, payload]);
}

async function synStream(compress: (b: Buffer) => Promise<Buffer>, id: number, headers: Record<string, string>, fin = false): Promise<Buffer> {
  const body = Buffer.alloc(10);
  body.writeUInt32BE(id, 0);
  return control(1, fin ? 1 : 0, Buffer.concat([body, await compress(headerBlock(headers))]));
}

/** Reads frames the server sends: [type or 'data', stream id, flags, payload]. */
function frames(conn: Duplex) {
  const inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  const got: Array<{ kind: string; id: number; flags: number; body: Buffer; headers?: Map<string, string> }> = [];
  let buf = Buffer.alloc(0);
  conn.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 8 && buf.length >= 8 + buf.readUIntBE(5, 3)) {
      const len = buf.readUIntBE(5, 3);
      const head = buf.subarray(0, 8);
      const body = buf.subarray(8, 8 + len);
      buf = buf.subarray(8 + len);
      if (head[0]! & 0x80) {
        const type = head.readUInt16BE(2);
        const kind = { 2: 'SYN_REPLY', 3: 'RST_STREAM', 6: 'PING', 7: 'GOAWAY' }[type] ?? String(type);
        const entry = { kind, id: body.length >= 4 ? body.readUInt32BE(0) & 0x7fffffff : 0, flags: head[4]!, body: Buffer.from(body) };
        got.push(entry);
        if (type === 2) {
          inflate.write(body.subarray(4));
          inflate.flush(constants.Z_SYNC_FLUSH, () => undefined);
        }
      } else {
        got.push({ kind: 'DATA', id: head.readUInt32BE(0), flags: head[4]!, body: Buffer.from(body) });
      }
    }
  });
  return got;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('SPDY session', () => {
  it('opens a client stream, replies, carries data both ways with FIN, and answers pings', async () => {
    const [client, server] = pipePair();
    const session = new SpdySession(server);
    const streams: SpdyStream[] = [];
    session.on('stream', (s) => {
      streams.push(s);
      void s.reply();
      s.on('data', (c: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), c])));
      s.on('end', () => s.end());
    });
    const got = frames(client);
    const compress = compressor();
    client.write(await synStream(compress, 1, { streamType: 'data', port: '8080', requestID: '0' }));
    client.write(await synStream(compress, 3, { streamType: 'error', port: '8080', requestID: '0' }, true));
    await until(() => streams.length === 2);
    expect(streams[0]!.headers.get('streamtype')).toBe('data');
    expect(streams[1]!.headers.get('requestid')).toBe('0');
    client.write(data(1, Buffer.from('hi')));
    client.write(data(1, Buffer.alloc(0), true));
    const ping = Buffer.alloc(4);
    ping.writeUInt32BE(7);
    client.write(control(6, 0, ping));
    await until(() => got.some((f) => f.kind === 'DATA' && f.id === 1 && f.flags === 1));
    expect(got.filter((f) => f.kind === 'SYN_REPLY').map((f) => f.id)).toEqual([1, 3]);
    expect(Buffer.concat(got.filter((f) => f.kind === 'DATA' && f.id === 1).map((f) => f.body)).toString()).toBe('echo:hi');
    expect(got.find((f) => f.kind === 'PING')?.id).toBe(7);
    session.close();
  });

  it('ends the session on hostile input without throwing', async () => {
    for (const evil of [
      control(1, 0, Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from('not zlib at all')])),
      Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff]), // a 16 MiB frame announced
      Buffer.from([0x80, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]), // SPDY/2
    ]) {
      const [client, server] = pipePair();
      const session = new SpdySession(server);
      const closed = new Promise<void>((r) => session.once('close', () => r()));
      client.write(evil);
      await closed;
    }
  });

  it('ends the session when a header block would inflate past its bound', async () => {
    const [client, server] = pipePair();
    const session = new SpdySession(server);
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    const streams: SpdyStream[] = [];
    session.on('stream', (s) => streams.push(s));
    // One header whose value is 64 MiB of zeros: about 64 KiB once compressed.
    const huge = Buffer.concat([headerBlock({ a: '' }).subarray(0, 4 + 4 + 1), Buffer.from([0x04, 0, 0, 0]), Buffer.alloc(64 * 1024 * 1024)]);
    const body = Buffer.alloc(10);
    body.writeUInt32BE(1, 0);
    const compress = compressor();
    const frame = control(1, 0, Buffer.concat([body, await compress(huge)]));
    expect(frame.length).toBeLessThan(MAX_HEADER_BLOCK);
    client.write(frame);
    await closed;
    expect(streams).toEqual([]);
  });

  it('stops reading the connection while a stream is not read, and reads on when it is', async () => {
    const [client, server] = pipePair();
    const session = new SpdySession(server);
    const streams: SpdyStream[] = [];
    session.on('stream', (s) => streams.push(s));
    const compress = compressor();
    client.write(await synStream(compress, 1, { streamType: 'stdin' }));
    await until(() => streams.length === 1);
    const stdin = streams[0]!;
    // 8 MiB sent to a stream nobody reads: the session must not take it all in.
    const chunk = Buffer.alloc(32 * 1024, 1);
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 256; i++) {
        if (!client.write(data(1, chunk, i === 255))) await new Promise((r) => client.once('drain', r));
        written += chunk.length;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    expect(stdin.readableLength).toBeLessThan(1024 * 1024);
    expect(written).toBeLessThan(8 * 1024 * 1024);
    // Reading it lets everything through.
    let got = 0;
    stdin.on('data', (c: Buffer) => (got += c.length));
    await new Promise<void>((r) => stdin.once('end', () => r()));
    await writer;
    expect(got).toBe(8 * 1024 * 1024);
    session.close();
  });

  it('encodes and decodes header blocks', () => {
    expect(parseHeaderBlock(headerBlock({ StreamType: 'data', port: '80' }))).toEqual(new Map([['streamtype', 'data'], ['port', '80']]));
  });
});

describe('port-forward over SPDY', () => {
  it('delivers everything the pod sent before the FIN, even when the pod connection is reported closed first', async () => {
    const [client, server] = pipePair();
    const session = new SpdySession(server);
    const payload = Buffer.alloc(1024 * 1024, 7);
    // A pod connection whose end is known (as an exec's exit code is) while its bytes are still in
    // flight behind a client that does not read yet.
    serveSpdyPortForward(
      session,
      async (): Promise<PortConnection> => {
        const fromPod = new PassThrough();
        const socket = Duplex.from({ readable: fromPod, writable: new PassThrough().resume() });
        fromPod.end(payload);
        return { socket, closed: Promise.resolve(undefined) };
      },
      'default/p',
    );
    client.pause();
    const compress = compressor();
    client.write(await synStream(compress, 1, { streamType: 'error', port: '80', requestID: '0' }, true));
    client.write(await synStream(compress, 3, { streamType: 'data', port: '80', requestID: '0' }));
    await new Promise((r) => setTimeout(r, 50));
    const got = frames(client);
    client.resume();
    await until(() => got.some((f) => f.kind === 'DATA' && f.id === 3 && f.flags === 1));
    const received = got.filter((f) => f.kind === 'DATA' && f.id === 3).reduce((n, f) => n + f.body.length, 0);
    expect(received).toBe(payload.length);
    expect(got.filter((f) => f.kind === 'DATA' && f.id === 1).reduce((n, f) => n + f.body.length, 0)).toBe(0);
    session.close();
  });
});
