// kubectl port-forward on the kubelet's side, in Kubernetes' two wire protocols:
// - portforward.k8s.io over SPDY (kubectl; before 1.30 as `Upgrade: SPDY/3.1`, since then
//   tunnelled in a WebSocket): for every local connection the client opens an error stream and
//   a data stream with the same requestID and port; the data stream carries the bytes, the error
//   stream what went wrong, then both close.
// - v4.channel.k8s.io over WebSocket (the JavaScript and Python clients): the ports are in the
//   query; port i has data channel 2i and error channel 2i+1, each opened by the port number
//   (two bytes, little endian), then messages prefixed by their channel byte.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { PortConnection } from '../runtime/runtime.js';
import { RST, type SpdySession, type SpdyStream } from './spdy.js';
import { writeHoldingBack } from './ws-hold-back.js';

export type PortDialer = (port: number) => Promise<PortConnection>;

/** How long the second stream of a pair may keep the first waiting (Kubernetes' default). */
const PAIR_TIMEOUT_MS = 30_000;
/** Bytes a WebSocket may have queued before the pod connection is paused. */
const WS_BACKLOG_BYTES = 1024 * 1024;

/**
 * Copies both ways between a client stream and the pod connection; resolves with the failure,
 * if any, once everything the pod sent has been handed to the client. The pod connection closing
 * is not enough: its last bytes may still be in the pipe, held back by a slow client.
 */
async function splice(client: Duplex, conn: PortConnection): Promise<string | undefined> {
  const { socket } = conn;
  const delivered = new Promise<void>((resolve) => {
    // A pod connection that ends makes pipe() end the client after its last byte: 'finish'.
    client.once('finish', resolve);
    client.once('close', resolve);
    socket.once('close', () => {
      if (!socket.readableEnded) resolve(); // cut off: nothing more will come
    });
  });
  client.pipe(socket);
  socket.pipe(client);
  client.on('error', () => socket.destroy());
  socket.on('error', () => undefined);
  // The client is gone (its stream reset, its connection closed): so is the pod connection.
  client.on('close', () => socket.destroy());
  const failure = await conn.closed;
  await delivered;
  return failure;
}

export function validPort(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Serves port-forward streams on a SPDY session until it closes. */
export function serveSpdyPortForward(session: SpdySession, dial: PortDialer, pod: string): void {
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream; timer: NodeJS.Timeout }>();
  session.on('stream', (stream) => {
    void stream.reply();
    stream.on('error', () => undefined);
    const type = stream.headers.get('streamtype');
    if (type !== 'data' && type !== 'error') {
      stream.reset(RST.PROTOCOL_ERROR);
      return;
    }
    // Clients before requestID paired streams by creation order: the error stream first.
    const requestID = stream.headers.get('requestid') ?? String(type === 'data' ? stream.id - 2 : stream.id);
    let pair = pairs.get(requestID);
    if (!pair) {
      const timer = setTimeout(() => {
        const p = pairs.get(requestID);
        pairs.delete(requestID);
        p?.error?.end(`timed out waiting for the ${p.data ? 'error' : 'data'} stream of request ${requestID}`);
        p?.data?.reset();
      }, PAIR_TIMEOUT_MS);
      timer.unref();
      pairs.set(requestID, (pair = { timer }));
    }
    pair[type] = stream;
    if (!pair.data || !pair.error) return;
    clearTimeout(pair.timer);
    pairs.delete(requestID);
    void forward(pair.data, pair.error, dial, pod);
  });
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
}

async function forward(data: SpdyStream, error: SpdyStream, dial: PortDialer, pod: string): Promise<void> {
  error.resume(); // the client half-closes it at once; nothing comes on it
  const port = validPort(data.headers.get('port'));
  const fail = (message: string) => {
    if (!error.writableEnded) error.end(message);
    if (!data.writableEnded) data.end();
  };
  if (port === undefined) return fail(`invalid port "${data.headers.get('port') ?? ''}"`);
  let conn: PortConnection;
  try {
    conn = await dial(port);
  } catch (err) {
    return fail(`error forwarding port ${port} to pod ${pod}: ${(err as Error).message}`);
  }
  const failure = await splice(data, conn);
  if (failure) fail(`error forwarding port ${port} to pod ${pod}: ${failure}`);
  else {
    if (!data.writableEnded) data.end();
    if (!error.writableEnded) error.end();
  }
}

/** Serves the WebSocket port-forward protocol for `ports` until every connection ends. */
export function serveWebSocketPortForward(ws: WebSocket, ports: number[], dial: PortDialer, pod: string): void {
  const send = (channel: number, data: Buffer, sent?: () => void) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true }, sent);
    else sent?.();
  };
  const portBytes = (port: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(port);
    return b;
  };
  const conns: Array<PortConnection | undefined> = [];
  const inbox: Buffer[][] = ports.map(() => []);
  // Bytes for ports still connecting: past a bound, the WebSocket is not read until they connect.
  let early = 0;
  let heldForEarly = false;
  ws.on('message', (raw: Buffer) => {
    if (raw.length === 0) return;
    const channel = raw[0]!;
    if (channel % 2 !== 0) return; // nothing is read from error channels
    const i = channel / 2;
    const payload = raw.subarray(1);
    if (!payload.length || i >= ports.length) return;
    const conn = conns[i];
    if (conn) return writeHoldingBack(ws, conn.socket, payload);
    inbox[i]!.push(payload);
    early += payload.length;
    if (early > WS_BACKLOG_BYTES && !ws.isPaused) {
      heldForEarly = true;
      ws.pause();
    }
  });
  const earlyDelivered = (i: number) => {
    for (const b of inbox[i]!) early -= b.length;
    inbox[i]!.length = 0;
    if (heldForEarly && early <= WS_BACKLOG_BYTES) {
      heldForEarly = false;
      ws.resume();
    }
  };
  let open = ports.length;
  const done = () => {
    if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    send(2 * i, portBytes(port));
    send(2 * i + 1, portBytes(port));
    void (async () => {
      try {
        const conn = await dial(port);
        conns[i] = conn;
        // Whatever arrived while connecting goes first.
        for (const b of inbox[i]!) conn.socket.write(b);
        earlyDelivered(i);
        const ended = new Promise<void>((resolve) => conn.socket.once('end', resolve).once('close', resolve));
        conn.socket.on('data', (c: Buffer) => {
          // A slow client: stop reading from the pod until the WebSocket has written its backlog.
          if (ws.bufferedAmount < WS_BACKLOG_BYTES) return send(2 * i, c);
          conn.socket.pause();
          send(2 * i, c, () => conn.socket.resume());
        });
        conn.socket.on('error', () => undefined);
        ws.on('close', () => conn.socket.destroy());
        const failure = await conn.closed;
        await ended; // everything the pod sent is queued on the WebSocket before its error or close
        if (failure) send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${pod}: ${failure}`));
      } catch (err) {
        earlyDelivered(i); // to nowhere: the port never connected
        send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${pod}: ${(err as Error).message}`));
      }
      done();
    })();
  });
}
