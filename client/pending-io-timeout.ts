// A timeout that is judged only after the event loop has read the I/O already waiting for it.
// Node runs due timers before it polls sockets and pipes: after a busy stretch of the process
// (a burst of work, a long collection), an answer that arrived in time would still be unread
// when its timer fires, and be taken for none. Deferring the verdict to the check phase, right
// after the poll, lets that answer settle first.

/** Calls `onTimeout` `ms` from now, once pending I/O has been read; returns the cancel. */
export function timeoutAfterPendingIO(ms: number, onTimeout: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(onTimeout);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
