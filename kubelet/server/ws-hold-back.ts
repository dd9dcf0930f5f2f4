// A WebSocket's incoming messages have no flow control of their own: a client writing faster
// than where its bytes go (a container's stdin, a pod's port) would have them queued in the
// kubelet's memory. Reading the WebSocket pauses instead until that destination drains (or
// goes away), so the client's writes wait in TCP.
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/** Writes `data` to `to`; when `to` is full, stops reading `ws` until it has drained. */
export function writeHoldingBack(ws: WebSocket, to: Writable, data: Buffer): void {
  if (to.write(data) || ws.isPaused) return;
  ws.pause();
  const go = () => {
    to.off('drain', go).off('close', go).off('error', go);
    ws.resume();
  };
  to.on('drain', go).on('close', go).on('error', go);
}
