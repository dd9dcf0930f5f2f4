// pods/log over a WebSocket, as Kubernetes' apiserver serves any streamed subresource to a client
// that asks for an upgrade (its conformance suite reads logs so): the log's bytes go out as they
// come, each read one message, raw ("binary.k8s.io", or no subprotocol) or base64 text
// ("base64.binary.k8s.io"), and the connection closes normally when the log ends. The options,
// the pod and the container are checked as for a plain GET, and any refusal is a Status before
// the upgrade.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { StatusError } from '../../api/status.js';
import { decodedPath } from '../http/path.js';
import type { Query } from '../http/params.js';
import type { openKubeletLogs } from './pod-proxy.js';

/** Opens the log at the pod's kubelet (pod-proxy.ts's openKubeletLogs, bound to its registry and kubelets). */
export type LogOpener = (namespace: string, pod: string, query: Query) => ReturnType<typeof openKubeletLogs>;

export const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

const PROTOCOLS = ['binary.k8s.io', 'base64.binary.k8s.io'];

/** The server end of the handshake: one of ours, or none when the client offers none. */
const sockets = new WebSocketServer({ noServer: true, handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false });

function queryOf(rawUrl: string): Query {
  const q: Query = {};
  const at = rawUrl.indexOf('?');
  for (const [k, v] of new URLSearchParams(at < 0 ? '' : rawUrl.slice(at + 1))) {
    const had = q[k];
    q[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return q;
}

/** Sends one log chunk; resolves once it is written, so a slow client slows the read of the log. */
function send(ws: WebSocket, chunk: Buffer, base64: boolean): Promise<void> {
  return new Promise((resolve, reject) => ws.send(base64 ? chunk.toString('base64') : chunk, { binary: !base64 }, (err) => (err ? reject(err) : resolve())));
}

export async function serveLogsOverWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, open: LogOpener): Promise<void> {
  const raw = req.url ?? '/';
  const [, namespace, podName] = LOG_PATH.exec(decodedPath(raw))! as unknown as [string, string, string];
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new StatusError(400, 'BadRequest', 'logs need an Upgrade to websocket');
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  if (offered.length && !offered.some((p) => PROTOCOLS.includes(p))) throw new StatusError(400, 'BadRequest', `requested protocol(s) are not supported: ${offered.join(', ')}; supports ${PROTOCOLS.join(', ')}`);
  const res = await open(namespace, podName, queryOf(raw));
  if (res.statusCode >= 300) {
    // The kubelet's refusal (a container that is not there, say) reaches the client as its Status.
    const text = (await res.body.text()).trim();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // plain text
    }
    throw new StatusError(res.statusCode, res.statusCode === 404 ? 'NotFound' : 'BadRequest', message);
  }
  sockets.handleUpgrade(req, socket, head, (ws) => {
    const base64 = ws.protocol === 'base64.binary.k8s.io';
    const body = res.body;
    ws.on('close', () => body.destroy());
    ws.on('error', () => body.destroy());
    void (async () => {
      try {
        for await (const chunk of body) {
          if (ws.readyState !== ws.OPEN) break;
          await send(ws, chunk as Buffer, base64);
        }
        ws.close(1000);
      } catch {
        ws.terminate();
      }
    })();
  });
}
