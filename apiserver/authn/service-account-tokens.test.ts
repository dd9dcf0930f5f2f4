import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ServiceAccountTokens, type ObjectLookup } from './service-account-tokens.js';
import type { KubeObject } from '../../api/types/meta.js';
import { LegacyTokenSigner } from '../../api/legacy-service-account-token.js';

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

function world() {
  const objects = new Map<string, string>([
    ['ServiceAccount/team/bot', 'sa-uid'],
    ['Pod/team/web', 'pod-uid'],
  ]);
  const get: ObjectLookup = async (kind, ns, name) => {
    const uid = objects.get(`${kind}/${ns}/${name}`);
    return uid ? ({ apiVersion: 'v1', kind, metadata: { namespace: ns, name, uid } } as KubeObject) : undefined;
  };
  let now = Date.parse('2026-11-30T10:00:00Z');
  const tokens = new ServiceAccountTokens(pem(), [], ISSUER, [ISSUER], { get }, () => now);
  return { objects, tokens, advance: (ms: number) => (now += ms) };
}

const claims = { namespace: 'team', serviceAccount: { name: 'bot', uid: 'sa-uid' } };

describe('service-account tokens', () => {
  it('authenticate as the service account, in its groups, with the pod it is bound to', async () => {
    const w = world();
    const { token, expiresAt } = await w.tokens.issue({ ...claims, bound: { kind: 'Pod', name: 'web', uid: 'pod-uid' } }, [ISSUER], 3600);
    expect(expiresAt.toISOString()).toBe('2026-11-30T11:00:00.000Z');
    const user = await w.tokens.authenticateToken(token);
    expect(user).toMatchObject({
      name: 'system:serviceaccount:team:bot',
      uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team'],
      extra: { 'authentication.kubernetes.io/pod-name': ['web'], 'authentication.kubernetes.io/pod-uid': ['pod-uid'] },
    });
  });

  it('stop working when they expire, when their pod or service account goes, or when recreated under the same name', async () => {
    const w = world();
    const { token } = await w.tokens.issue({ ...claims, bound: { kind: 'Pod', name: 'web', uid: 'pod-uid' } }, [ISSUER], 3600);
    w.advance(3600_000 + 61_000);
    expect(await w.tokens.authenticateToken(token)).toBeUndefined();

    const w2 = world();
    const bound = (await w2.tokens.issue({ ...claims, bound: { kind: 'Pod', name: 'web', uid: 'pod-uid' } }, [ISSUER], 3600)).token;
    const plain = (await w2.tokens.issue(claims, [ISSUER], 3600)).token;
    w2.objects.set('Pod/team/web', 'another-pod-uid');
    expect(await w2.tokens.authenticateToken(bound)).toBeUndefined();
    expect(await w2.tokens.authenticateToken(plain)).toBeDefined();
    w2.objects.delete('ServiceAccount/team/bot');
    expect(await w2.tokens.authenticateToken(plain)).toBeUndefined();
  });

  it('refuse other audiences, other issuers, other keys and tampered tokens', async () => {
    const w = world();
    expect(await w.tokens.authenticateToken((await w.tokens.issue(claims, ['vault'], 3600)).token)).toBeUndefined();
    const foreign = new ServiceAccountTokens(pem(), [], ISSUER, [ISSUER], { get: async () => undefined });
    expect(await w.tokens.authenticateToken((await foreign.issue(claims, [ISSUER], 3600)).token)).toBeUndefined();
    const otherIssuer = new ServiceAccountTokens(pem(), [], 'https://elsewhere', [ISSUER], { get: async () => undefined });
    expect(await w.tokens.authenticateToken((await otherIssuer.issue(claims, [ISSUER], 3600)).token)).toBeUndefined();
    const good = (await w.tokens.issue(claims, [ISSUER], 3600)).token;
    const [h, p, sig] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    expect(await w.tokens.authenticateToken(`${h}.${forged}.${sig}`)).toBeUndefined();
    for (const junk of ['', 'a.b.c', 'not-a-jwt', `${h}..`, '.'.repeat(2)]) expect(await w.tokens.authenticateToken(junk)).toBeUndefined();
  });
});

describe('secret-based (legacy) service-account tokens', () => {
  function legacyWorld(keyPem: string) {
    const objects = new Map<string, KubeObject>();
    const used: string[] = [];
    const tokens = new ServiceAccountTokens(keyPem, [], ISSUER, [ISSUER], {
      get: async (kind, ns, name) => objects.get(`${kind}/${ns}/${name}`),
      legacyTokenUsed: (secret) => used.push(secret.metadata.name!),
    });
    const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'team', name: 'bot', uid: 'sa-uid' } } as KubeObject;
    objects.set('ServiceAccount/team/bot', account);
    const token = new LegacyTokenSigner(keyPem).sign({ namespace: 'team', name: 'bot', uid: 'sa-uid' }, 'bot-token');
    const secret = (extra: Partial<KubeObject['metadata']> = {}, stored = token) =>
      objects.set('Secret/team/bot-token', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { namespace: 'team', name: 'bot-token', uid: 'secret-uid', ...extra },
        data: { token: Buffer.from(stored).toString('base64') },
      } as KubeObject);
    secret();
    return { objects, tokens, token, secret, used };
  }

  it('authenticate as their service account while the Secret holds them, and record the use', async () => {
    for (const keyPem of [pem(), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()]) {
      const w = legacyWorld(keyPem);
      expect(await w.tokens.authenticateToken(w.token)).toEqual({
        name: 'system:serviceaccount:team:bot',
        uid: 'sa-uid',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:team'],
      });
      expect(w.used).toEqual(['bot-token']);
      const [header, payload] = w.token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p!, 'base64url').toString()));
      expect(header.kid).toBeTruthy();
      expect(payload).toEqual({
        iss: 'kubernetes/serviceaccount',
        'kubernetes.io/serviceaccount/namespace': 'team',
        'kubernetes.io/serviceaccount/secret.name': 'bot-token',
        'kubernetes.io/serviceaccount/service-account.name': 'bot',
        'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
        sub: 'system:serviceaccount:team:bot',
      });
    }
  });

  it('stop working when the Secret goes or changes, is marked invalid, or the service account is not the one named', async () => {
    const w = legacyWorld(pem());
    w.secret({ deletionTimestamp: '2026-11-30T10:00:00Z' });
    expect(await w.tokens.authenticateToken(w.token)).toBeUndefined();
    w.secret({}, `${w.token}x`);
    expect(await w.tokens.authenticateToken(w.token)).toBeUndefined();
    w.objects.delete('Secret/team/bot-token');
    expect(await w.tokens.authenticateToken(w.token)).toBeUndefined();
    w.secret({ labels: { 'kubernetes.io/legacy-token-invalid-since': '2026-01-01' } });
    expect(await w.tokens.authenticateToken(w.token)).toBeUndefined();
    expect(w.used).toEqual(['bot-token']); // a refused use of a marked token is still recorded
    w.secret();
    w.objects.set('ServiceAccount/team/bot', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'team', name: 'bot', uid: 'another' } } as KubeObject);
    expect(await w.tokens.authenticateToken(w.token)).toBeUndefined();
    w.objects.delete('ServiceAccount/team/bot');
    expect(await w.tokens.authenticateToken(w.token)).toBeUndefined();
  });

  it('are refused when another key signed them', async () => {
    const w = legacyWorld(pem());
    const foreign = new LegacyTokenSigner(pem()).sign({ namespace: 'team', name: 'bot', uid: 'sa-uid' }, 'bot-token');
    w.secret({}, foreign);
    expect(await w.tokens.authenticateToken(foreign)).toBeUndefined();
  });
});
