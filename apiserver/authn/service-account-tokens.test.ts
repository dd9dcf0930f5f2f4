import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ServiceAccountTokens, type UidLookup } from './service-account-tokens.js';

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

function world() {
  const objects = new Map<string, string>([
    ['ServiceAccount/team/bot', 'sa-uid'],
    ['Pod/team/web', 'pod-uid'],
  ]);
  const lookup: UidLookup = async (kind, ns, name) => objects.get(`${kind}/${ns}/${name}`);
  let now = Date.parse('2026-11-30T10:00:00Z');
  const tokens = new ServiceAccountTokens(pem(), [], ISSUER, [ISSUER], lookup, () => now);
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
    const foreign = new ServiceAccountTokens(pem(), [], ISSUER, [ISSUER], async () => 'sa-uid');
    expect(await w.tokens.authenticateToken((await foreign.issue(claims, [ISSUER], 3600)).token)).toBeUndefined();
    const otherIssuer = new ServiceAccountTokens(pem(), [], 'https://elsewhere', [ISSUER], async () => 'sa-uid');
    expect(await w.tokens.authenticateToken((await otherIssuer.issue(claims, [ISSUER], 3600)).token)).toBeUndefined();
    const good = (await w.tokens.issue(claims, [ISSUER], 3600)).token;
    const [h, p, sig] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    expect(await w.tokens.authenticateToken(`${h}.${forged}.${sig}`)).toBeUndefined();
    for (const junk of ['', 'a.b.c', 'not-a-jwt', `${h}..`, '.'.repeat(2)]) expect(await w.tokens.authenticateToken(junk)).toBeUndefined();
  });
});
