import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client/api-client.js';
import { KubeletAuth, subresourceFor, type KubeletAuthOptions } from './auth.js';

/** A request as the HTTPS server hands it over: TLS state on the socket, headers, method, path. */
function req(path: string, o: { method?: string; token?: string; cert?: { CN: string; O?: string[] }; authorized?: boolean } = {}): IncomingMessage {
  const socket = { authorized: o.authorized ?? !!o.cert, getPeerCertificate: () => (o.cert ? { subject: o.cert } : {}), getProtocol: () => 'TLSv1.3' };
  return { url: path, method: o.method ?? 'GET', headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, socket } as unknown as IncomingMessage;
}

/** An apiserver that knows one token and allows what `allow` says; counts reviews. */
function fakeApi(allow: (user: string, subresource: string) => boolean) {
  const calls = { tokenReviews: 0, accessReviews: 0, specs: [] as any[] };
  const client = {
    request: async (_m: string, path: string, { body }: { body: any }) => {
      if (path.endsWith('/tokenreviews')) {
        calls.tokenReviews++;
        return body.spec.token === 'good' ? { status: { authenticated: true, user: { username: 'jane', uid: '7', groups: ['dev', 'system:authenticated'] } } } : { status: { authenticated: false } };
      }
      calls.accessReviews++;
      calls.specs.push(body.spec);
      return { status: { allowed: allow(body.spec.user, body.spec.resourceAttributes.subresource) } };
    },
  } as unknown as ApiClient;
  return { client, calls };
}

const options: KubeletAuthOptions = { nodeName: 'n1', anonymous: false, tokenWebhook: true, authorization: 'Webhook' };

describe('kubelet API authentication and authorization', () => {
  it("maps paths to the node subresources Kubernetes' kubelet authorizes", () => {
    expect(['/stats/summary', '/metrics', '/metrics/cadvisor', '/logs/syslog', '/spec/', '/pods', '/exec/ns/p/c', '/containerLogs/ns/p/c', '/healthz', '/checkpoint/ns/p/c'].map(subresourceFor)).toEqual([
      'stats', 'metrics', 'metrics', 'log', 'spec', 'proxy', 'proxy', 'proxy', 'proxy', 'checkpoint',
    ]);
  });

  it('401s anonymous requests, bad tokens and certificates from other CAs; lets in anonymous users only when told', async () => {
    const api = fakeApi(() => true);
    const auth = new KubeletAuth(options, api.client);
    expect(await auth.check(req('/pods'))).toEqual({ ok: false, code: 401, message: 'Unauthorized' });
    expect(await auth.check(req('/pods', { token: 'bad' }))).toMatchObject({ ok: false, code: 401 });
    expect(await auth.check(req('/pods', { cert: { CN: 'mallory' }, authorized: false }))).toMatchObject({ ok: false, code: 401 });
    const open = new KubeletAuth({ ...options, anonymous: true }, api.client);
    expect(await open.check(req('/pods'))).toMatchObject({ ok: true, user: { name: 'system:anonymous' } });
  });

  it('asks a SubjectAccessReview for the user, verb and nodes/<subresource> of this node, and caches both answers', async () => {
    const api = fakeApi((user, sub) => user === 'kube-apiserver-kubelet-client' || sub === 'metrics');
    const auth = new KubeletAuth(options, api.client);
    expect(await auth.check(req('/exec/ns/p/c', { cert: { CN: 'kube-apiserver-kubelet-client' } }))).toMatchObject({ ok: true });
    expect(api.calls.specs[0]).toEqual({ user: 'kube-apiserver-kubelet-client', groups: ['system:authenticated'], resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1' } });
    expect(await auth.check(req('/pods', { token: 'good', method: 'POST' }))).toEqual({ ok: false, code: 403, message: 'Forbidden (user=jane, verb=create, resource=nodes, subresource=proxy)' });
    expect(api.calls.specs[1]).toMatchObject({ user: 'jane', uid: '7', groups: ['dev', 'system:authenticated'] });
    expect(await auth.check(req('/metrics', { token: 'good' }))).toMatchObject({ ok: true, user: { name: 'jane' } });
    // Again: no more reviews.
    await auth.check(req('/pods', { token: 'good', method: 'POST' }));
    await auth.check(req('/metrics', { token: 'good' }));
    expect(api.calls).toMatchObject({ tokenReviews: 1, accessReviews: 3 });
  });

  it('AlwaysAllow authorizes whoever authenticated, without asking', async () => {
    const api = fakeApi(() => false);
    const auth = new KubeletAuth({ ...options, authorization: 'AlwaysAllow' }, api.client);
    expect(await auth.check(req('/pods', { token: 'good' }))).toMatchObject({ ok: true });
    expect(api.calls.accessReviews).toBe(0);
  });
});
