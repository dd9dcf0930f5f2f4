// Running a container handler: the probe and lifecycle-hook actions Kubernetes defines (exec a
// command in the container, an HTTP GET, a TCP connect, a gRPC health check, a hook's sleep)
// with a timeout.
// Probes judge the result; postStart and preStop hooks report a failure as an event.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, ProbeHandler } from '../../api/types/pod.js';
import { timeoutAfterPendingIO } from '../../client/pending-io-timeout.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { grpcHealthProbe } from './grpc-health.js';

export interface HandlerResult {
  ok: boolean;
  message: string;
  /** Passed, with something to say (an HTTP probe redirected to another host is not followed). */
  warning?: string;
}

/** What an HTTP probe keeps of a body for its message, as Kubernetes' prober reads at most. */
const MAX_PROBE_BODY = 10 * 1024;
/** Redirects an HTTP probe follows on its own host before it fails. */
const MAX_REDIRECTS = 10;

export interface HandlerTarget {
  id: string;
  container: Container;
  podIP: string | undefined;
}

/** A named port ("http") resolves through the container's ports. */
export function resolvePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runHandler(runtime: ContainerRuntime, h: ProbeHandler, t: HandlerTarget, timeoutMs: number): Promise<HandlerResult> {
  try {
    if (h.exec) return await execHandler(runtime, t.id, h.exec.command ?? [], timeoutMs);
    if (h.httpGet) {
      const port = resolvePort(h.httpGet.port, t.container);
      const host = h.httpGet.host || t.podIP;
      if (!port || !host) return { ok: false, message: `cannot resolve port ${h.httpGet.port} or pod address` };
      const scheme = (h.httpGet.scheme ?? 'HTTP').toLowerCase();
      const path = h.httpGet.path ?? '/';
      const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
      const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
      for (const x of h.httpGet.httpHeaders ?? []) headers[x.name.toLowerCase()] = x.value;
      return await httpProbe(url, headers, timeoutMs);
    }
    if (h.tcpSocket) {
      const port = resolvePort(h.tcpSocket.port, t.container);
      const host = h.tcpSocket.host || t.podIP;
      if (!port || !host) return { ok: false, message: `cannot resolve port ${h.tcpSocket.port} or pod address` };
      return await tcpConnect(host, port, timeoutMs);
    }
    if (h.sleep) return await sleepHandler(h.sleep.seconds, timeoutMs);
    if (h.grpc) {
      // Kubernetes' gRPC probe goes to the pod's IP only: there is no host field.
      if (!t.podIP) return { ok: false, message: 'cannot resolve the pod address' };
      return await grpcHealthProbe(t.podIP, h.grpc.port, h.grpc.service ?? '', timeoutMs);
    }
    return { ok: false, message: 'unknown handler: none of exec, httpGet, tcpSocket, grpc or sleep' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** A sleep hook: waits its seconds, or fails when the hook's time (the grace period) runs out first. */
async function sleepHandler(seconds: number, timeoutMs: number): Promise<HandlerResult> {
  const ms = Math.max(0, Number(seconds) || 0) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, timeoutMs)));
  return ms <= timeoutMs ? { ok: true, message: '' } : { ok: false, message: 'container terminated before sleep hook finished' };
}

async function execHandler(runtime: ContainerRuntime, id: string, command: string[], timeoutMs: number): Promise<HandlerResult> {
  const session = await runtime.exec(id, command, { stdin: false, stdout: true, stderr: true, tty: false });
  let output = '';
  session.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  session.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  let cancel: (() => void) | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (cancel = timeoutAfterPendingIO(timeoutMs, () => resolve('timeout'))));
  const code = await Promise.race([session.exitCode, timeout]);
  cancel?.();
  if (code === 'timeout') {
    session.close();
    return { ok: false, message: `command ${JSON.stringify(command.join(' '))} timed out` };
  }
  return code === 0 ? { ok: true, message: output } : { ok: false, message: output.trim() || `command exited with ${code}` };
}

/**
 * An HTTP GET judged as Kubernetes' prober judges it: 2xx passes; redirects are followed while
 * they stay on the probed host (ten at most); one to another host is not followed and passes
 * with a warning; anything else fails. The whole exchange, redirects included, within `timeoutMs`.
 */
async function httpProbe(first: string, headers: Record<string, string>, timeoutMs: number): Promise<HandlerResult> {
  const deadline = Date.now() + timeoutMs;
  const host = new URL(first).hostname;
  let url = first;
  for (let hops = 0; ; hops++) {
    let res: { status: number; location?: string; body: string };
    try {
      res = await httpGet(url, headers, Math.max(1, deadline - Date.now()));
    } catch (err) {
      return { ok: false, message: `Get "${url}": ${(err as Error).message}` };
    }
    if (res.status >= 300 && res.status < 400 && res.location) {
      let next: URL;
      try {
        next = new URL(res.location, url);
      } catch {
        return { ok: false, message: `Get "${url}": invalid redirect location ${JSON.stringify(res.location)}` };
      }
      if (next.hostname === host) {
        if (hops + 1 >= MAX_REDIRECTS) return { ok: false, message: `Get "${next}": stopped after ${MAX_REDIRECTS} redirects` };
        url = next.toString();
        continue;
      }
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, message: '' };
    if (res.status >= 300 && res.status < 400) return { ok: true, message: '', warning: `Probe terminated redirects, Response body: ${res.body}` };
    return { ok: false, message: `HTTP probe failed with statuscode: ${res.status}` };
  }
}

/**
 * The status, Location and first 10 KiB of the body of a GET, the whole exchange within `timeoutMs`. As Kubernetes' prober does, an
 * HTTPS probe does not verify the server's certificate (a pod's own, usually self-signed), and
 * each probe uses a connection of its own.
 */
function httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const abort = new AbortController();
    const cancel = timeoutAfterPendingIO(timeoutMs, () => abort.abort());
    const opts = { method: 'GET', headers, agent: false as const, signal: abort.signal };
    const req = url.startsWith('https:') ? httpsRequest(url, { ...opts, rejectUnauthorized: false }) : httpRequest(url, opts);
    req.on('response', (res) => {
      const kept: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_PROBE_BODY) kept.push(c.subarray(0, MAX_PROBE_BODY - size));
        size += c.length;
      });
      res.on('end', () => {
        cancel();
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, ...(location ? { location } : {}), body: Buffer.concat(kept).toString('utf8') });
      });
      res.on('error', (err) => {
        cancel();
        reject(err);
      });
    });
    req.on('error', (err) => {
      cancel();
      reject(err.name === 'AbortError' ? new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)') : err);
    });
    req.end();
  });
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<HandlerResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (r: HandlerResult) => {
      cancel();
      sock.destroy();
      resolve(r);
    };
    const cancel = timeoutAfterPendingIO(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    sock.once('connect', () => done({ ok: true, message: '' }));
    sock.once('error', (err) => done({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}
