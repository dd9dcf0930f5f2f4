import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../client/api-client.js';
import { DelegatedAccess, pathMatches } from './delegated-access.js';

function req(method: string, o: { token?: string; cert?: { CN: string; O?: string[] }; authorized?: boolean } = {}): IncomingMessage {
  const socket = { authorized: o.authorized ?? !!o.cert, getPeerCertificate: () => (o.cert ? { subject: o.cert } : {}), getProtocol: () => 'TLSv1.3' };
  return { method, headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, socket } as unknown as IncomingMessage;
}

/** An apiserver that knows the token "good" (user jane) and allows jane GET /metrics only. */
function fakeApi(opts: { down?: boolean } = {}) {
  const calls = { tokenReviews: 0, accessReviews: [] as unknown[] };
  const client = {
    request: async (_m: string, path: string, { body }: { body: any }) => {
      if (opts.down) throw new Error('connect ECONNREFUSED');
      if (path.endsWith('/tokenreviews')) {
        calls.tokenReviews++;
        return body.spec.token === 'good' ? { status: { authenticated: true, user: { username: 'jane', groups: ['dev'] } } } : { status: { authenticated: false } };
      }
      calls.accessReviews.push(body.spec.nonResourceAttributes);
      return { status: { allowed: body.spec.user === 'jane' && body.spec.nonResourceAttributes.path === '/metrics' && body.spec.nonResourceAttributes.verb === 'get' } };
    },
  } as unknown as ApiClient;
  return { client, calls };
}

describe('delegated access to a component secure port', () => {
  it('matches exact paths and prefixes ending in *', () => {
    expect(pathMatches(['/healthz', '/debug/*'], '/healthz')).toBe(true);
    expect(pathMatches(['/healthz', '/debug/*'], '/healthz/ping')).toBe(false);
    expect(pathMatches(['/healthz', '/debug/*'], '/debug/pprof/heap')).toBe(true);
    expect(pathMatches([], '/')).toBe(false);
  });

  it('lets anyone reach the always-allowed paths, system:masters anything, and asks the apiserver about the rest', async () => {
    const api = fakeApi();
    const access = new DelegatedAccess({ authentication: api.client, authorization: api.client, alwaysAllowPaths: ['/healthz'] });
    expect(await access.check(req('GET'), '/healthz')).toMatchObject({ ok: true, user: { name: 'system:anonymous' } });
    expect(await access.check(req('GET', { cert: { CN: 'root', O: ['system:masters'] } }), '/anything')).toMatchObject({ ok: true });
    expect(await access.check(req('GET', { token: 'good' }), '/metrics')).toMatchObject({ ok: true, user: { name: 'jane' } });
    const post = await access.check(req('POST', { token: 'good' }), '/metrics');
    expect(post.ok).toBe(false);
    if (!post.ok) expect(JSON.parse(post.refusal.body).message).toBe('forbidden: User "jane" cannot post path "/metrics"');
    // Answers are kept: the same question again asks nothing.
    const asked = api.calls.accessReviews.length;
    await access.check(req('GET', { token: 'good' }), '/metrics');
    expect([api.calls.tokenReviews, api.calls.accessReviews.length]).toEqual([1, asked]);
  });

  it('refuses failed credentials with 401, and with no authorizer forbids what is not always allowed', async () => {
    const api = fakeApi();
    const access = new DelegatedAccess({ authentication: api.client, alwaysAllowPaths: [] });
    for (const r of [req('GET', { token: 'bad' }), req('GET', { cert: { CN: 'x' }, authorized: false })]) {
      const d = await access.check(r, '/healthz');
      expect(d.ok ? 0 : d.refusal.code).toBe(401);
    }
    const d = await access.check(req('GET', { token: 'good' }), '/metrics');
    expect(d.ok ? 0 : d.refusal.code).toBe(403);
  });

  it('answers 401 when tokens cannot be reviewed and 500 when access cannot be asked, never letting a request through', async () => {
    const down = fakeApi({ down: true });
    const access = new DelegatedAccess({ authentication: down.client, authorization: down.client, alwaysAllowPaths: [] });
    const token = await access.check(req('GET', { token: 'good' }), '/metrics');
    expect(token.ok ? 0 : token.refusal.code).toBe(401);
    const anonymous = await access.check(req('GET'), '/metrics');
    expect(anonymous.ok ? 0 : anonymous.refusal).toMatchObject({ code: 500, body: expect.stringContaining('"/metrics": connect ECONNREFUSED') });
  });
});
