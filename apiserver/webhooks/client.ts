// Calling a webhook as Kubernetes' apiserver does (admission and CRD conversion alike): a JSON
// review POSTed over HTTPS, trusting the configuration's caBundle (else the system's roots), to
// its URL or to its Service (one ready endpoint of it, the certificate checked for
// <service>.<namespace>.svc), within its timeout, the answer's size bounded.
import type { Agent } from 'undici';
import { undici } from '../http/undici.js';

export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

/** Where a Service's port is served: one ready endpoint (throws when there is none). */
export type ServiceResolver = (namespace: string, name: string, port: number) => { host: string; port: number };

/** A webhook that could not be called, or answered what no webhook may (its message says which). */
export class WebhookCallError extends Error {}

const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

export class WebhookClient {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly resolveService: ServiceResolver) {}

  /** POSTs `review` and returns the parsed answer; throws WebhookCallError when that fails. */
  async post(config: WebhookClientConfig, review: unknown, timeoutSeconds: number): Promise<unknown> {
    const { url, connectTo, servername } = this.endpoint(config, timeoutSeconds);
    const target = `${url}${url.includes('?') ? '&' : '?'}timeout=${timeoutSeconds}s`;
    const { request } = await undici();
    let text: string;
    try {
      const res = await request(connectTo ?? target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(connectTo ? { host: new URL(target).host } : {}) },
        body: JSON.stringify(review),
        dispatcher: await this.agent(config.caBundle, servername),
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) throw new WebhookCallError(`failed to call webhook: Post "${target}": response too large`);
        chunks.push(c as Buffer);
      }
      text = Buffer.concat(chunks).toString('utf8');
      if (res.statusCode !== 200) throw new WebhookCallError(`expected response code 200, got ${res.statusCode}: ${text.slice(0, 200)}`);
    } catch (err) {
      if (err instanceof WebhookCallError) throw err;
      const e = err as Error & { cause?: Error };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'context deadline exceeded' : (e.cause?.message ?? e.message);
      throw new WebhookCallError(`failed to call webhook: Post "${target}": ${why}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new WebhookCallError('received invalid webhook response: the answer is not JSON');
    }
  }

  /** Where to POST: the URL, or the Service's endpoint with the name its certificate must carry. */
  private endpoint(config: WebhookClientConfig, timeoutSeconds: number): { url: string; connectTo?: string; servername?: string } {
    const { url, service } = config;
    if (url) return { url };
    if (!service) throw new WebhookCallError('the webhook has neither url nor service');
    const port = service.port ?? 443;
    const servername = `${service.name}.${service.namespace}.svc`;
    const path = service.path ?? '';
    let ep: { host: string; port: number };
    try {
      ep = this.resolveService(service.namespace, service.name, port);
    } catch (err) {
      throw new WebhookCallError(`failed to call webhook: ${(err as Error).message}`);
    }
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    return { url: `https://${servername}:${port}${path}`, connectTo: `https://${host}:${ep.port}${path}?timeout=${timeoutSeconds}s`, servername };
  }

  private async agent(caBundle: string | undefined, servername: string | undefined): Promise<Agent> {
    const key = `${servername ?? ''}\u0000${caBundle ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const { Agent } = await undici();
      agent = new Agent({
        connect: {
          ...(caBundle ? { ca: Buffer.from(caBundle, 'base64').toString('utf8') } : {}),
          ...(servername ? { servername } : {}),
          rejectUnauthorized: true,
        },
      });
      // A bounded cache: configurations come and go, each with its own CA.
      if (this.agents.size >= 256) {
        const [oldestKey, oldest] = this.agents.entries().next().value as [string, Agent];
        this.agents.delete(oldestKey);
        void oldest.close().catch(() => undefined);
      }
      this.agents.set(key, agent);
    }
    return agent;
  }
}
