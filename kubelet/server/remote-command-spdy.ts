// kubectl exec and attach over SPDY, as kubectl before 1.30 speaks them: the client opens one
// stream per standard stream it asked for (streamType stdin, stdout, stderr, and resize with a
// TTY) plus an error stream; once they are all there the command runs, its output goes to
// the stdout and stderr streams, and its end is reported on the error stream (a Status from
// v4.channel.k8s.io on, plain text before).
import type { ExecSession } from '../runtime/runtime.js';
import { exitStatus } from './exec-stream.js';
import { RST, type SpdySession, type SpdyStream } from './spdy.js';

export const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** How long the client has to open every stream it asked for (Kubernetes' default). */
const STREAMS_TIMEOUT_MS = 30_000;

/** Waits for the client's streams, then starts the session and bridges them to it. */
export function serveSpdyRemoteCommand(session: SpdySession, protocol: string, opts: RemoteCommandOptions, start: () => Promise<ExecSession>): void {
  // A TTY's size comes on a resize stream from v3 on; older clients never open one.
  const resizes = opts.tty && (protocol === 'v4.channel.k8s.io' || protocol === 'v3.channel.k8s.io');
  const required = ['error', ...(opts.stdin ? ['stdin'] : []), ...(opts.stdout ? ['stdout'] : []), ...(opts.stderr && !opts.tty ? ['stderr'] : []), ...(resizes ? ['resize'] : [])];
  const streams = new Map<string, SpdyStream>();
  const timer = setTimeout(() => session.close(), STREAMS_TIMEOUT_MS);
  timer.unref();
  session.on('close', () => clearTimeout(timer));
  session.on('stream', (stream) => {
    void stream.reply();
    stream.on('error', () => undefined);
    const type = stream.headers.get('streamtype') ?? '';
    if (!required.includes(type) || streams.has(type)) {
      stream.reset(RST.PROTOCOL_ERROR);
      return;
    }
    streams.set(type, stream);
    if (!required.every((t) => streams.has(t))) return;
    clearTimeout(timer);
    void run(session, protocol, streams, start);
  });
}

async function run(session: SpdySession, protocol: string, streams: Map<string, SpdyStream>, start: () => Promise<ExecSession>): Promise<void> {
  const error = streams.get('error')!;
  const structured = protocol === 'v4.channel.k8s.io';
  const report = (message: string | undefined, status: Record<string, unknown>) => {
    if (structured) error.end(JSON.stringify(status));
    else error.end(message ?? '');
  };
  let exec: ExecSession;
  try {
    exec = await start();
  } catch (err) {
    report((err as Error).message, { metadata: {}, status: 'Failure', message: (err as Error).message, reason: 'InternalError' });
    session.close();
    return;
  }
  const stdin = streams.get('stdin');
  if (stdin && exec.stdin) stdin.pipe(exec.stdin);
  else stdin?.resume();
  const resize = streams.get('resize');
  if (resize) {
    // A JSON TerminalSize per line.
    let pending = '';
    resize.on('data', (c: Buffer) => {
      pending += c.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          const size = JSON.parse(line) as { Width?: number; Height?: number };
          if (size.Width && size.Height) void exec.resize(size.Width, size.Height).catch(() => undefined);
        } catch {
          // a malformed size is ignored, as Kubernetes does
        }
      }
    });
  }
  const stdout = streams.get('stdout');
  const stderr = streams.get('stderr');
  if (stdout) exec.stdout.pipe(stdout);
  else exec.stdout.resume();
  if (stderr) exec.stderr.pipe(stderr);
  else exec.stderr.resume();
  session.on('close', () => exec.close());
  const finished = (s: SpdyStream) => new Promise((r) => (s.writableFinished ? r(undefined) : s.once('finish', r).once('close', r)));
  const drained = Promise.all([stdout, stderr].filter((s): s is SpdyStream => !!s).map(finished));
  try {
    const code = await exec.exitCode;
    await drained;
    const status = exitStatus(code);
    report(code === 0 ? undefined : `command terminated with non-zero exit code: ${code}`, status);
  } catch (err) {
    report((err as Error).message, { metadata: {}, status: 'Failure', message: (err as Error).message, reason: 'InternalError' });
  }
  // Let the last frames go out before the connection ends.
  setTimeout(() => session.close(), 100).unref();
}
