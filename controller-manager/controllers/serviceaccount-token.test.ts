import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Secret } from '../../api/types/core.js';
import type { KubeObject } from '../../api/types/meta.js';
import { LegacyTokenSigner } from '../../api/legacy-service-account-token.js';
import { fakeWorld } from '../framework/fake-context.js';
import { resource } from '../../client/rest.js';
import { ServiceAccountTokenController } from './serviceaccount-token.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const signer = new LegacyTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const account = (uid = 'sa-uid'): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'team', name: 'bot', uid } });
const secret = (annotations: Record<string, string>, data?: Record<string, string>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/service-account-token',
  metadata: { namespace: 'team', name: 'bot-token', uid: 'secret-uid', resourceVersion: '7', annotations },
  ...(data ? { data } : {}),
});

function world() {
  const w = fakeWorld({ rootCA: CA });
  const c = new ServiceAccountTokenController(w.ctx, signer, CA);
  return { ...w, c };
}

describe('service-account token controller', () => {
  it("fills a Secret naming an existing account with a token for it, the cluster's CA and its namespace", async () => {
    const w = world();
    w.seed('v1/serviceaccounts', account());
    w.seed('v1/secrets', secret({ 'kubernetes.io/service-account.name': 'bot' }));
    await w.c.reconcile('team/bot-token');
    const [write] = w.client.writes('secrets');
    expect(write?.verb).toBe('update');
    const body = write!.body as Secret;
    expect(body.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'bot', 'kubernetes.io/service-account.uid': 'sa-uid' });
    expect(body.metadata.resourceVersion).toBe('7');
    expect(Buffer.from(body.data!['ca.crt']!, 'base64').toString()).toBe(CA);
    expect(Buffer.from(body.data!.namespace!, 'base64').toString()).toBe('team');
    const token = Buffer.from(body.data!.token!, 'base64').toString();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:team:bot', 'kubernetes.io/serviceaccount/secret.name': 'bot-token', 'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid' });
  });

  it('leaves a filled Secret alone, and mends only its CA when the CA changed', async () => {
    const w = world();
    w.seed('v1/serviceaccounts', account());
    const filled = { token: b64('t'), 'ca.crt': b64(CA), namespace: b64('team') };
    const annotations = { 'kubernetes.io/service-account.name': 'bot', 'kubernetes.io/service-account.uid': 'sa-uid' };
    w.seed('v1/secrets', secret(annotations, filled));
    await w.c.reconcile('team/bot-token');
    expect(w.client.writes('secrets')).toEqual([]);
    const stale = secret(annotations, { ...filled, 'ca.crt': b64('old CA') });
    w.seed('v1/secrets', { ...stale, metadata: { ...stale.metadata, resourceVersion: '8' } });
    await w.c.reconcile('team/bot-token');
    expect((w.client.writes('secrets')[0]!.body as Secret).data).toEqual(filled);
  });

  it('deletes a Secret whose account does not exist, or is another account under the same name', async () => {
    for (const [seeded, annotations] of [
      [[], { 'kubernetes.io/service-account.name': 'bot' }],
      [[account('new-uid')], { 'kubernetes.io/service-account.name': 'bot', 'kubernetes.io/service-account.uid': 'sa-uid' }],
    ] as const) {
      const w = world();
      w.seed('v1/serviceaccounts', ...seeded);
      w.seed('v1/secrets', secret(annotations));
      await w.c.reconcile('team/bot-token');
      expect(w.client.writes('secrets').map((a) => [a.verb, a.name, (a.body as { preconditions?: unknown }).preconditions])).toEqual([['delete', 'bot-token', { uid: 'secret-uid' }]]);
    }
  });

  it('looks past a cache that has not seen a new account yet, and ignores other Secrets', async () => {
    const w = world();
    w.client.seed(resource('v1/serviceaccounts'), account());
    w.seed('v1/secrets', secret({ 'kubernetes.io/service-account.name': 'bot' }), { ...secret({}), type: 'Opaque', metadata: { namespace: 'team', name: 'plain' } } as Secret);
    await w.c.reconcile('team/bot-token');
    await w.c.reconcile('team/plain');
    expect(w.client.writes('secrets').map((a) => [a.verb, a.name])).toEqual([['update', 'bot-token']]);
  });
});
