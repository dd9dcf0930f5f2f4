// A webhook the apiserver's operator names with a kubeconfig file (token authentication and
// authorization webhooks): a JSON review POSTed to the kubeconfig's server, presenting its
// client certificate or token and trusting its CA, the answer's size bounded. What Kubernetes
// counts as transient is tried again after each of the given pauses: a connection reset, an
// answer 500, 504 or 429, or one with Retry-After; a refused connection or another answer is not.
import type { Agent } from 'undici';
import type { ClientConfig } from '../../client/rest.js';
import { undici } from '../http/undici.js';

const MAX_RESPONSE_BYTES = 1024 * 1024;

/** A failure worth another try. */
class Retryable extends Error {}

export class KubeconfigWebhook {
  private agent?: Agent;

  /** `what` names the webhook in errors ("token webhook", "authorization webhook"). */
  constructor(
    private readonly client: ClientConfig,
    private readonly what: string,
  ) {}

  get server(): string {
    return this.client.server;
  }

  /** The parsed answer to `review`, tried again after each of `retryDelaysMs` while retryable. */
  async post(review: unknown, timeoutMs: number, retryDelaysMs: number[]): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.postOnce(review, timeoutMs);
      } catch (err) {
        if (!(err instanceof Retryable) || attempt >= retryDelaysMs.length) throw err;
        await new Promise((r) => setTimeout(r, retryDelaysMs[attempt]));
      }
    }
  }

  private async postOnce(review: unknown, timeoutMs: number): Promise<unknown> {
    const { request, Agent } = await undici();
    const { client, what } = this;
    const tls = client.tls;
    this.agent ??= new Agent({
      connect: { ...(tls?.ca ? { ca: tls.ca } : {}), ...(tls?.cert ? { cert: tls.cert, key: tls.key } : {}), rejectUnauthorized: !tls?.insecureSkipVerify },
    });
    let res;
    try {
      res = await request(client.server, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(client.token ? { authorization: `Bearer ${client.token}` } : {}) },
        body: JSON.stringify(review),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error & { code?: string } }).cause;
      const message = `${what} ${client.server}: ${cause?.message ?? (err as Error).message}`;
      const reset = cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET' || (err as { code?: string }).code === 'UND_ERR_SOCKET';
      throw reset ? new Retryable(message) : new Error(message);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (size > MAX_RESPONSE_BYTES) throw new Error(`${what} ${client.server}: response too large`);
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if ([500, 504, 429].includes(res.statusCode) || (res.statusCode >= 300 && res.headers['retry-after'] !== undefined)) throw new Retryable(`${what} ${client.server}: ${res.statusCode} ${text.slice(0, 200)}`);
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`${what} ${client.server}: ${res.statusCode} ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${what} ${client.server}: the answer is not JSON`);
    }
  }
}
