// Copies a kubelet's WebSocket answer to a client over TLS one frame per write, a tick apart,
// so each frame goes out in TLS records of its own: clients that read a message and then poll
// the raw socket (the Python client's websocket) never see frames that arrived in the same
// record and wait in their TLS buffer. What is copied is bounded: a client that reads slowly
// pauses the kubelet's side, and a frame too large to hold is passed on in pieces.
import type { Duplex } from 'node:stream';

/** A frame declared larger than this is copied as it arrives instead of whole. */
const WHOLE_FRAME_MAX = 1024 * 1024;
/** Bytes held back from the client before the kubelet's side is paused. */
const PENDING_MAX = 4 * 1024 * 1024;

/** Length of the WebSocket frame at the start of `buf` as its header declares it, or undefined while the header is incomplete. */
export function declaredFrameLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let header = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    header = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    header = 10;
  }
  return header + (masked ? 4 : 0) + len;
}

/** Length of the WebSocket frame at the start of `buf`, or undefined while it is incomplete. */
export function frameLength(buf: Buffer): number | undefined {
  const total = declaredFrameLength(buf);
  return total !== undefined && buf.length >= total ? total : undefined;
}

/** Copies `upstream` (an HTTP head, then WebSocket frames) to `socket`, a frame per write. */
export function relayFramesApart(upstream: Duplex, socket: Duplex): void {
  let pending: Buffer = Buffer.alloc(0);
  let headDone = false;
  /** Bytes of a frame too large to hold that are still to be passed on as they come. */
  let passing = 0;
  let writing = false;
  let ended = false;
  let paused = false;
  const headEnd = Buffer.from('\r\n\r\n');
  const take = (n: number) => {
    const out = pending.subarray(0, n);
    pending = pending.subarray(n);
    return out;
  };
  const next = (): Buffer | undefined => {
    if (!pending.length) return undefined;
    if (!headDone) {
      const at = pending.indexOf(headEnd);
      if (at < 0) return pending.length > 64 * 1024 ? take(pending.length) : undefined;
      headDone = true;
      return take(at + headEnd.length);
    }
    if (passing > 0) {
      const piece = take(Math.min(passing, pending.length));
      passing -= piece.length;
      return piece;
    }
    const total = declaredFrameLength(pending);
    if (total === undefined) return undefined;
    if (pending.length >= total) return take(total);
    if (total <= WHOLE_FRAME_MAX) return undefined;
    const piece = take(pending.length);
    passing = total - piece.length;
    return piece;
  };
  const resumeUpstream = () => {
    if (paused && pending.length < PENDING_MAX && socket.writableLength < PENDING_MAX) {
      paused = false;
      upstream.resume();
    }
  };
  const drain = () => {
    if (writing) return;
    const piece = next();
    if (!piece) {
      if (ended) {
        if (pending.length) socket.write(pending);
        socket.end();
      }
      resumeUpstream();
      return;
    }
    writing = true;
    const flowing = socket.write(piece);
    const after = () => {
      writing = false;
      drain();
    };
    if (flowing) setImmediate(after);
    else socket.once('drain', after);
  };
  upstream.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    if (!paused && pending.length >= PENDING_MAX) {
      paused = true;
      upstream.pause();
    }
    drain();
  });
  upstream.on('end', () => {
    ended = true;
    drain();
  });
}
