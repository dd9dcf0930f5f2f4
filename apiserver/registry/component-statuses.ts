// What `kubectl get componentstatuses` shows: the apiserver probes, there and then, the
// scheduler's and the controller-manager's /healthz on this host, on their secure ports (10259
// and 10257, HTTPS whose certificate is not checked, as Kubernetes probes them) and etcd. Like Kubernetes,
// a refused connection or an unhealthy answer is a False condition whose message says why; only
// the etcd probe's failure is reported as the condition's error.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeObject } from '../../api/types/meta.js';
import type { KVStore } from '../storage/kv.js';

/** Kubernetes' probe timeout for component statuses. */
const PROBE_TIMEOUT_MS = 20_000;
/** At most this much of an answer's body is kept as the message (Kubernetes' HTTP prober keeps 10 KB). */
const MAX_BODY = 10 * 1024;

export interface HttpTarget {
  /** https: the server's certificate is not verified (the components' own are self-signed). */
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
}

export const DEFAULT_TARGETS: Readonly<Record<string, HttpTarget>> = {
  scheduler: { scheme: 'https', host: '127.0.0.1', port: 10259, path: '/healthz' },
  'controller-manager': { scheme: 'https', host: '127.0.0.1', port: 10257, path: '/healthz' },
};

interface Probe {
  status: 'True' | 'False' | 'Unknown';
  message?: string;
  error?: string;
}

/**
 * An HTTP GET as Kubernetes' prober does it: 2xx and 3xx are healthy, the body (its first 10 KB)
 * is the message. The whole probe ends by `timeoutMs`, however slowly an answer trickles in.
 */
export function probeHttp(t: HttpTarget, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  const url = `${t.scheme}://${t.host}:${t.port}${t.path}`;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (p: Probe) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(p);
    };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        settle(code >= 200 && code < 400 ? { status: 'True', message: body } : { status: 'False', message: body || `HTTP probe failed with statuscode: ${code}` });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c.subarray(0, MAX_BODY - size));
        size += Math.min(c.length, MAX_BODY - size);
        if (size >= MAX_BODY) answer();
      });
      res.on('error', (err) => settle({ status: 'False', message: `Get "${url}": ${err.message}` }));
      res.on('end', answer);
    };
    const options = { host: t.host, port: t.port, path: t.path, method: 'GET', headers: { 'user-agent': 'kube-probe/1.32', accept: '*/*' } };
    const req = t.scheme === 'https' ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse) : httpRequest(options, onResponse);
    const deadline = setTimeout(() => settle({ status: 'False', message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => settle({ status: 'False', message: `Get "${url}": ${describeError(t, err)}` }));
    req.end();
  });
}

/** Go's wording for the usual failures, which is what users of `kubectl get cs` know. */
function describeError(t: HttpTarget, err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${t.host}:${t.port}: connect: connection refused`;
  return err.message;
}

function statusObject(name: string, p: Probe): KubeObject {
  const condition: Record<string, string> = { type: 'Healthy', status: p.status };
  if (p.message) condition.message = p.message;
  if (p.error) condition.error = p.error;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name }, conditions: [condition] } as KubeObject;
}

export class ComponentStatuses {
  constructor(
    private readonly etcd: KVStore,
    private readonly targets: Readonly<Record<string, HttpTarget>> = DEFAULT_TARGETS,
    private readonly timeoutMs = PROBE_TIMEOUT_MS,
  ) {}

  /** The names this server reports on: the components, then etcd (one storage backend: etcd-0). */
  names(): string[] {
    return [...Object.keys(this.targets), 'etcd-0'];
  }

  /** One component's status, probed now; undefined for a name this server does not report on. */
  async get(name: string): Promise<KubeObject | undefined> {
    if (name === 'etcd-0') return statusObject(name, await this.probeEtcd());
    const target = Object.hasOwn(this.targets, name) ? this.targets[name] : undefined;
    return target ? statusObject(name, await probeHttp(target, this.timeoutMs)) : undefined;
  }

  /** Every component's status, probed at once, by name. */
  async list(): Promise<KubeObject[]> {
    const all = await Promise.all(this.names().map((n) => this.get(n)));
    return all.filter((o): o is KubeObject => o !== undefined).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  }

  private async probeEtcd(): Promise<Probe> {
    try {
      await this.etcd.ping(this.timeoutMs);
      return { status: 'True', message: 'ok' };
    } catch (err) {
      return { status: 'False', error: (err as Error).message };
    }
  }
}
