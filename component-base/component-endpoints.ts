// What a component serves on its secure port once a request may pass: /healthz, /livez and
// /readyz (each with its checks, ?verbose, ?exclude= and /<endpoint>/<check>), Prometheus
// /metrics and, where a component has one, its configuration at /configz; anything else is
// Go's 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { excludedChecks, healthAnswer, singleCheckAnswer } from './healthz.js';

export interface NamedCheck {
  name: string;
  /** Why the check fails now; undefined when it passes. */
  check: () => string | undefined;
}

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export interface ComponentEndpoints {
  /** Each endpoint's checks now, in order (none: Kubernetes' lone ping check). */
  checks: (endpoint: HealthEndpoint) => NamedCheck[];
  /** Prometheus text-format lines. */
  metrics: () => string[];
  /** The component's configuration, served at /configz under this name (Kubernetes' "componentconfig"). */
  configz?: { name: string; config: () => unknown };
}

/** Kubernetes' health handlers fall back to one check that always passes. */
const PING: NamedCheck = { name: 'ping', check: () => undefined };

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

export function serveEndpoint(endpoints: ComponentEndpoints, url: URL, res: ServerResponse, req?: IncomingMessage): void {
  const head = req?.method === 'HEAD';
  const send = (code: number, headers: Record<string, string>, body: string) => void res.writeHead(code, headers).end(head ? undefined : body);
  const [, endpoint, check, ...rest] = url.pathname.split('/');
  if ((endpoint === 'healthz' || endpoint === 'livez' || endpoint === 'readyz') && rest.length === 0) {
    const own = endpoints.checks(endpoint);
    const checks = own.length ? own : [PING];
    if (check !== undefined && check !== '') {
      const one = checks.find((c) => c.name === check);
      if (!one) return send(404, TEXT, '404 page not found\n');
      const answer = singleCheckAnswer(one.check());
      return send(answer.code, TEXT, answer.text);
    }
    const excluded = excludedChecks(url.searchParams.getAll('exclude'), checks.map((c) => c.name));
    const outcomes = checks.filter((c) => !excluded.includes(c.name)).map((c) => ({ name: c.name, error: c.check() }));
    const { failed, text } = healthAnswer(endpoint, outcomes, excluded, url.searchParams.has('verbose'));
    return send(failed ? 500 : 200, TEXT, text);
  }
  if (url.pathname === '/metrics') return send(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, endpoints.metrics().join('\n') + '\n');
  if (url.pathname === '/configz' && endpoints.configz) {
    return send(200, { 'content-type': 'application/json' }, JSON.stringify({ [endpoints.configz.name]: endpoints.configz.config() }));
  }
  send(404, TEXT, '404 page not found\n');
}
