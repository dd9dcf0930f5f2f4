import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { compileAuthorizationMatchCondition } from '../../api/cel/authorization.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import { chain, type Decision } from './authorizer.js';
import type { RequestAttributes } from './request-info.js';
import { WebhookAuthorizer, type WebhookAuthorizerOptions } from './webhook.js';

const alice: UserInfo = { name: 'alice', uid: 'a-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['read'] } };
const getPods: RequestAttributes = { resourceRequest: true, verb: 'get', apiGroup: '', apiVersion: 'v1', namespace: 'team', resource: 'pods', subresource: '', name: 'web' };
const deletePods: RequestAttributes = { ...getPods, verb: 'delete' };
const healthz: RequestAttributes = { resourceRequest: false, verb: 'get', path: '/healthz' };

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A webhook on loopback that answers each review with `answer(review)`, recording what it was sent. */
async function webhook(answer: (review: any) => unknown): Promise<{ url: string; reviews: any[] }> {
  const reviews: any[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const review = JSON.parse(body);
      reviews.push(review);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'SubjectAccessReview', status: answer(review) }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/authorize`, reviews };
}

const options = (url: string, more: Partial<WebhookAuthorizerOptions> = {}): WebhookAuthorizerOptions => ({
  name: 'test',
  client: { server: url },
  version: 'v1',
  authorizedTTLMs: 60_000,
  unauthorizedTTLMs: 1_000,
  timeoutMs: 2_000,
  failurePolicy: 'NoOpinion',
  retryDelaysMs: [],
  ...more,
});

describe('the Webhook authorizer', () => {
  it('sends a SubjectAccessReview of the user and attributes and takes allowed, denied or neither with the reason', async () => {
    const hook = await webhook((r) => (r.spec.resourceAttributes?.verb === 'get' ? { allowed: true } : r.spec.resourceAttributes ? { allowed: false, denied: true, reason: 'read-only team' } : { allowed: false, reason: 'not mine' }));
    const authz = new WebhookAuthorizer(options(hook.url));
    expect(await authz.authorize(alice, getPods)).toEqual({ decision: 'allow' });
    expect(await authz.authorize(alice, deletePods)).toEqual({ decision: 'deny', reason: 'read-only team' });
    expect(await authz.authorize(alice, healthz)).toEqual({ decision: 'no-opinion', reason: 'not mine' });
    expect(hook.reviews[0]).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'alice', uid: 'a-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['read'] }, resourceAttributes: { namespace: 'team', verb: 'get', version: 'v1', resource: 'pods', name: 'web' } },
    });
    expect(hook.reviews[2].spec.nonResourceAttributes).toEqual({ path: '/healthz', verb: 'get' });
  });

  it('sends v1beta1 reviews with the groups as `group`', async () => {
    const hook = await webhook(() => ({ allowed: true }));
    await new WebhookAuthorizer(options(hook.url, { version: 'v1beta1' })).authorize(alice, getPods);
    expect(hook.reviews[0].apiVersion).toBe('authorization.k8s.io/v1beta1');
    expect(hook.reviews[0].spec.group).toEqual(['devs', 'system:authenticated']);
    expect(hook.reviews[0].spec.groups).toBeUndefined();
  });

  it('keeps answers for their TTL: allowed ones for the authorized TTL, the others for the unauthorized TTL', async () => {
    let now = 1_000_000;
    const hook = await webhook((r) => ({ allowed: r.spec.resourceAttributes.verb === 'get' }));
    const authz = new WebhookAuthorizer(options(hook.url, { now: () => now }));
    for (let i = 0; i < 3; i++) {
      await authz.authorize(alice, getPods);
      await authz.authorize(alice, deletePods);
    }
    expect(hook.reviews).toHaveLength(2);
    // The answer is known at once while cached: no promise to wait for.
    expect(authz.authorize(alice, getPods)).toEqual({ decision: 'allow' });
    now += 1_500;
    await authz.authorize(alice, getPods);
    await authz.authorize(alice, deletePods);
    expect(hook.reviews.map((r) => r.spec.resourceAttributes.verb)).toEqual(['get', 'delete', 'delete']);
  });

  it('skips requests a match condition rules out, and decides a failed condition by the failure policy', async () => {
    const hook = await webhook(() => ({ allowed: true }));
    const onlyResources = [compileAuthorizationMatchCondition('has(request.resourceAttributes)'), compileAuthorizationMatchCondition("!request.user.startsWith('system:')")];
    const authz = new WebhookAuthorizer(options(hook.url, { matchConditions: onlyResources }));
    expect(await authz.authorize(alice, healthz)).toEqual({ decision: 'no-opinion' });
    expect(await authz.authorize({ name: 'system:kube-scheduler', groups: [] }, getPods)).toEqual({ decision: 'no-opinion' });
    expect(await authz.authorize(alice, getPods)).toEqual({ decision: 'allow' });
    expect(hook.reviews).toHaveLength(1);
    // An error (a missing key) is no match: the failure policy decides, the webhook is not asked.
    const failing = [compileAuthorizationMatchCondition("request.extra['team'][0] == 'a'")];
    const errors: string[] = [];
    const deny = new WebhookAuthorizer(options(hook.url, { matchConditions: failing, failurePolicy: 'Deny', onError: (e) => errors.push(e.message) }));
    expect(await deny.authorize(alice, getPods)).toEqual({ decision: 'deny' });
    expect(errors[0]).toContain("cel evaluation error: expression 'request.extra['team'][0] == 'a'' resulted in error");
    expect(await new WebhookAuthorizer(options(hook.url, { matchConditions: failing })).authorize(alice, getPods)).toEqual({ decision: 'no-opinion' });
    expect(hook.reviews).toHaveLength(1);
  });

  it('decides by the failure policy when the webhook cannot be reached or fails, after trying again what may pass', async () => {
    let calls = 0;
    server = createServer((req, res) => {
      calls++;
      // A 500 is tried again; a 503 without Retry-After is not, as Kubernetes decides.
      res.statusCode = req.url === '/unavailable' ? 503 : 500;
      res.end('busy');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const errors: string[] = [];
    const deny = new WebhookAuthorizer(options(url, { failurePolicy: 'Deny', retryDelaysMs: [10, 10], onError: (e) => errors.push(e.message) }));
    expect(await deny.authorize(alice, getPods)).toEqual({ decision: 'deny' });
    expect(calls).toBe(3);
    expect(errors[0]).toBe(`authorization webhook test ${url}: 500 busy`);
    expect(await deny.authorize(alice, { ...getPods, name: 'other' })).toEqual({ decision: 'deny' });
    expect(calls).toBe(6);
    const unavailable = new WebhookAuthorizer(options(`${url}unavailable`, { retryDelaysMs: [10, 10] }));
    expect(await unavailable.authorize(alice, getPods)).toEqual({ decision: 'no-opinion' });
    expect(calls).toBe(7);
    // A failure is not cached.
    expect(await new WebhookAuthorizer(options(url)).authorize(alice, getPods)).toEqual({ decision: 'no-opinion' });
    expect(await new WebhookAuthorizer(options('http://127.0.0.1:1/', { failurePolicy: 'Deny' })).authorize(alice, getPods)).toEqual({ decision: 'deny' });
  });
});

describe('hostile webhook answers', () => {
  it('takes only `true` as allowed or denied and a string as the reason; anything else is no opinion', async () => {
    const answers: unknown[] = [
      { allowed: 'true' },
      { allowed: 1, denied: 'yes', reason: { nested: true } },
      JSON.parse('{"__proto__": {"allowed": true}, "reason": ["x"]}'),
      null,
      'allowed',
    ];
    let i = 0;
    const hook = await webhook(() => answers[i++]);
    const authz = new WebhookAuthorizer(options(hook.url, { unauthorizedTTLMs: 0 }));
    for (let n = 0; n < answers.length; n++) expect(await authz.authorize(alice, getPods)).toEqual({ decision: 'no-opinion' });
    expect(({} as Record<string, unknown>).allowed).toBeUndefined();
  });

  it('refuses an answer that is not JSON or is too large, by the failure policy', async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/huge' ? `{"status":{"reason":"${'x'.repeat(2 * 1024 * 1024)}"}}` : '{"status": {');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const errors: string[] = [];
    const onError = (e: Error) => errors.push(e.message);
    expect(await new WebhookAuthorizer(options(`${base}/bad`, { failurePolicy: 'Deny', onError })).authorize(alice, getPods)).toEqual({ decision: 'deny' });
    expect(await new WebhookAuthorizer(options(`${base}/huge`, { failurePolicy: 'Deny', onError })).authorize(alice, getPods)).toEqual({ decision: 'deny' });
    expect(errors).toEqual([`authorization webhook test ${base}/bad: the answer is not JSON`, `authorization webhook test ${base}/huge: response too large`]);
  });
});

describe('a chain with a webhook in it', () => {
  const fixed = (d: Decision) => ({ authorize: () => d });
  const later = (d: Decision) => ({ authorize: async () => d });

  it('answers at once until it reaches a mode that answers later, and the first definite answer wins', async () => {
    expect(chain([fixed({ decision: 'no-opinion' }), fixed({ decision: 'allow' }), later({ decision: 'deny' })]).authorize(alice, getPods)).toEqual({ decision: 'allow' });
    const viaWebhook = chain([fixed({ decision: 'no-opinion', reason: 'rbac: no rule' }), later({ decision: 'no-opinion', reason: 'webhook: not mine' }), fixed({ decision: 'deny', reason: 'last' })]).authorize(alice, getPods);
    expect(viaWebhook).toBeInstanceOf(Promise);
    expect(await viaWebhook).toEqual({ decision: 'deny', reason: 'last' });
    expect(await chain([fixed({ decision: 'no-opinion', reason: 'rbac: no rule' }), later({ decision: 'no-opinion', reason: 'webhook: not mine' })]).authorize(alice, getPods)).toEqual({ decision: 'no-opinion', reason: 'rbac: no rule, webhook: not mine' });
  });
});
