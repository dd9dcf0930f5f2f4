// A port for a process to listen on a moment later. Asking the kernel for one (listen on 0,
// close, hand the number on) picks it from the ephemeral range, where any outgoing connection
// made in the meantime may take it as its local port, and the process that then listens on it
// fails with EADDRINUSE. Ports below that range are never handed out automatically: only
// another picker can take one, and a caller that must rule that out too keeps a claim on it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port handed out; below are the well-known and registered ports services like. */
const LOWEST = 10_000;

/** The first port the kernel gives to outgoing connections (Linux default 32768). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > LOWEST + 1000) return low;
  } catch {
    // not Linux: its usual range starts at 49152 (IANA) or 32768
  }
  return 32_768;
}

/** Whether nothing listens on `port` on any address now (a bind on 0.0.0.0 conflicts with each one). */
function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port below the ephemeral range, at random (so pickers in other processes rarely
 * meet); `claim`, when given, must also accept it (a cross-process reservation).
 */
export async function freePort(claim: (port: number) => boolean = () => true): Promise<number> {
  const high = ephemeralStart();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    if ((await listenable(port)) && claim(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${high}`);
}
