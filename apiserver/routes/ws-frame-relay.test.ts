import { type Duplex, PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { frameLength, relayFramesApart } from './ws-frame-relay.js';

describe('WebSocket frame lengths', () => {
  it('reads the 7-bit, 16-bit and 64-bit lengths, with and without a mask, and waits for whole frames', () => {
    expect(frameLength(Buffer.from([0x82, 0x03, 1, 2, 3]))).toBe(5);
    expect(frameLength(Buffer.from([0x82, 0x03, 1, 2]))).toBeUndefined();
    expect(frameLength(Buffer.from([0x82, 0x83, 9, 9, 9, 9, 1, 2, 3]))).toBe(9);
    const mid = Buffer.concat([Buffer.from([0x82, 126, 0x01, 0x00]), Buffer.alloc(256)]);
    expect(frameLength(mid)).toBe(260);
    expect(frameLength(mid.subarray(0, 100))).toBeUndefined();
    const big = Buffer.concat([Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]), Buffer.alloc(65536)]);
    expect(frameLength(big)).toBe(65546);
    expect(frameLength(Buffer.from([0x82]))).toBeUndefined();
  });
});

/** An unmasked binary frame carrying `payload`. */
function frame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x82, n]) : n < 65536 ? Buffer.from([0x82, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x82, 127]), Buffer.alloc(8)]);
  if (n >= 65536) head.writeBigUInt64BE(BigInt(n), 2);
  return Buffer.concat([head, payload]);
}

/** A client socket that records each write, and may be made slow (a small buffer nobody reads). */
function clientSocket(highWaterMark = 16 * 1024 * 1024) {
  const writes: Buffer[] = [];
  let open = true;
  let pending: Array<() => void> = [];
  const socket = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk);
      if (open) done();
      else pending.push(done);
    },
  });
  return {
    socket: socket as unknown as Duplex,
    writes,
    stall: () => (open = false),
    flow: () => {
      open = true;
      const p = pending;
      pending = [];
      for (const d of p) d();
    },
  };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('relayFramesApart', () => {
  it('writes the head, then each frame on its own, however they arrived', async () => {
    const upstream = new PassThrough();
    const client = clientSocket();
    relayFramesApart(upstream, client.socket);
    const frames = [frame(Buffer.from('a')), frame(Buffer.alloc(300, 2)), frame(Buffer.alloc(70_000, 3))];
    const all = Buffer.concat([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'), ...frames]);
    // Split at awkward places: inside the head, inside headers and bodies.
    for (const [a, b] of [[0, 10], [10, 60], [60, 400], [400, all.length]] as const) upstream.write(all.subarray(a, b));
    upstream.end();
    await until(() => client.writes.length === 4);
    expect(client.writes.slice(1).map((w) => w.length)).toEqual(frames.map((f) => f.length));
  });

  it('passes a frame too large to hold on in pieces, and the frames after it whole', async () => {
    const upstream = new PassThrough();
    const client = clientSocket();
    relayFramesApart(upstream, client.socket);
    const big = frame(Buffer.alloc(3 * 1024 * 1024, 5));
    const small = frame(Buffer.from('after'));
    const head = 'HTTP/1.1 101 Switching Protocols\r\n\r\n';
    const received = () => client.writes.reduce((n, w) => n + w.length, 0);
    upstream.write(head);
    // Half the frame: passed on before the rest exists.
    const half = 1536 * 1024;
    for (let at = 0; at < half; at += 256 * 1024) upstream.write(big.subarray(at, at + 256 * 1024));
    await until(() => received() === head.length + half);
    upstream.write(big.subarray(half));
    upstream.write(small);
    await until(() => received() === head.length + big.length + small.length);
    expect(Buffer.concat(client.writes.slice(1)).equals(Buffer.concat([big, small]))).toBe(true);
    expect(client.writes[client.writes.length - 1]!.equals(small)).toBe(true);
  });

  it('pauses the kubelet side while the client does not read, and delivers everything once it does', async () => {
    const upstream = new PassThrough({ highWaterMark: 64 * 1024 });
    const client = clientSocket(64 * 1024);
    relayFramesApart(upstream, client.socket);
    client.stall();
    upstream.write('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    const f = frame(Buffer.alloc(32 * 1024, 7));
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 512; i++) {
        if (!upstream.write(f)) await new Promise((r) => upstream.once('drain', r));
        written++;
      }
      upstream.end();
    })();
    await new Promise((r) => setTimeout(r, 200));
    // 16 MiB offered; held back well before that.
    expect(written * f.length).toBeLessThan(12 * 1024 * 1024);
    client.flow();
    await writer;
    await until(() => client.writes.length === 513);
    expect(client.writes.slice(1).every((w) => w.equals(f))).toBe(true);
  });
});
