// A watch holds its seat of API Priority and Fairness while it starts (its initial events are
// read and written, its subscription made), as in Kubernetes, and gives it back then, not when
// the watch ends: the flow-control hook leaves a function on the request, the watch calls it.
import type { IncomingMessage } from 'node:http';

const pending = new WeakMap<IncomingMessage, () => void>();

/** What to call once the watch of `req` has started. */
export function onWatchStarted(req: IncomingMessage, release: () => void): void {
  pending.set(req, release);
}

/** The watch of `req` has started (or failed to): its seat goes back. */
export function watchStarted(req: IncomingMessage): void {
  const release = pending.get(req);
  pending.delete(req);
  release?.();
}
