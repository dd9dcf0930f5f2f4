// Kubernetes' remote-command WebSocket protocol on the kubelet's side: binary messages whose
// first byte is the channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize), bridged to a
// runtime exec session. v4 and v5 report the exit as a Status on the error channel; v5 lets
// the client half-close stdin with [255, 0]; channel.k8s.io (v1) reports errors as plain text.
import type { WebSocket } from 'ws';
import type { ExecSession } from '../runtime/runtime.js';
import { writeHoldingBack } from './ws-hold-back.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** The subprotocol to answer with: the client's first offer that we speak. */
export function chooseProtocol(offered: Set<string>): string | false {
  for (const p of offered) if ((EXEC_PROTOCOLS as readonly string[]).includes(p)) return p;
  return false;
}

/** The Status a finished exec reports on the error channel. */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [...], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** Bridges an open WebSocket to an exec session until the command ends or the client leaves. */
export function serveExec(ws: WebSocket, session: ExecSession, protocol: string): void {
  const v4plus = protocol !== 'channel.k8s.io';
  let open = true;
  const send = (channel: number, data: Buffer | string) => {
    if (open && ws.readyState === ws.OPEN) ws.send(frame(channel, data), { binary: true });
  };
  session.stdout.on('data', (c: Buffer) => send(STDOUT, c));
  session.stderr.on('data', (c: Buffer) => send(STDERR, c));

  ws.on('message', (data: Buffer, isBinary) => {
    const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
    if (buf.length === 0) return;
    const channel = buf[0];
    const payload = buf.subarray(1);
    if (channel === STDIN) {
      if (payload.length && session.stdin) writeHoldingBack(ws, session.stdin, payload);
    } else if (channel === RESIZE) {
      try {
        const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
        if (size.Width && size.Height) void session.resize(size.Width, size.Height).catch(() => undefined);
      } catch {
        // a malformed resize is ignored, as Kubernetes does
      }
    } else if (channel === CLOSE && payload[0] === STDIN) {
      session.stdin?.end();
    }
  });
  ws.on('close', () => {
    open = false;
    session.close();
  });

  const streamsDone = Promise.all([
    new Promise((r) => (session.stdout.readableEnded ? r(undefined) : session.stdout.once('end', r).once('close', r))),
    new Promise((r) => (session.stderr.readableEnded ? r(undefined) : session.stderr.once('end', r).once('close', r))),
  ]);
  session.exitCode
    .then(async (code) => {
      await streamsDone;
      if (v4plus) send(ERROR, JSON.stringify(exitStatus(code)));
      else if (code !== 0) send(ERROR, `command terminated with non-zero exit code: ${code}`);
    })
    .catch((err: Error) => {
      send(ERROR, v4plus ? JSON.stringify({ metadata: {}, status: 'Failure', message: err.message, reason: 'InternalError' }) : err.message);
    })
    .finally(() => {
      open = false;
      if (ws.readyState === ws.OPEN) ws.close(1000);
    });
}
