// A client that writes faster than its destination drains: the kubelet stops reading the
// WebSocket rather than queueing the bytes, and every byte still arrives once drained.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { writeHoldingBack } from './ws-hold-back.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

/** A destination that takes 16 KiB and then nothing until opened. */
function slowSink() {
  let open = false;
  let received = 0;
  let pending: (() => void) | undefined;
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (open) done();
      else pending = done;
    },
  });
  return {
    sink,
    received: () => received,
    open: () => {
      open = true;
      pending?.();
    },
  };
}

describe('writeHoldingBack', () => {
  it('stops reading a WebSocket while its destination is full, and delivers everything once it drains', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close());
    await once(server, 'listening');
    const dest = slowSink();
    server.on('connection', (ws) => ws.on('message', (data: Buffer) => writeHoldingBack(ws, dest.sink, data)));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    cleanup.push(() => client.terminate());
    await once(client, 'open');
    const total = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let sent = 0; sent < total; sent += chunk.length) client.send(chunk);
    await new Promise((r) => setTimeout(r, 300));
    // Held back: the sink's queue stays near one message, the rest waits on the client's side.
    expect(dest.sink.writableLength).toBeLessThan(1024 * 1024);
    expect(client.bufferedAmount).toBeGreaterThan(total / 2);
    dest.open();
    for (let i = 0; i < 200 && dest.received() < total; i++) await new Promise((r) => setTimeout(r, 25));
    expect(dest.received()).toBe(total);
  });
});
