// The token cleaner and the bootstrap signer, on a fake world.
import { flattenedVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { ConfigMap, Secret } from '../../api/types/core.js';
import { fakeWorld } from '../framework/fake-context.js';
import { BootstrapSigner, detachedSignature } from './bootstrap-signer.js';
import { TokenCleaner } from './token-cleaner.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const b64 = (s: string) => Buffer.from(s).toString('base64');
function token(id: string, fields: Record<string, string> = {}, uid = `uid-${id}`): Secret {
  const data = Object.fromEntries(Object.entries({ 'token-id': id, 'token-secret': `${id}0123456789`, 'usage-bootstrap-signing': 'true', 'usage-bootstrap-authentication': 'true', ...fields }).map(([k, v]) => [k, b64(v)]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system', uid, resourceVersion: '3' }, type: 'bootstrap.kubernetes.io/token', data } as Secret;
}
const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: ""\n';
const clusterInfo = (data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public', resourceVersion: '7' }, data });

describe('token cleaner', () => {
  it('deletes an expired token (by uid), waits for one that expires later, keeps one that never does', async () => {
    const w = fakeWorld();
    const c = new TokenCleaner(w.ctx, () => NOW);
    w.seed('v1/secrets', token('aaaaaa', { expiration: '2026-12-07T11:00:00Z' }), token('bbbbbb', { expiration: '2026-12-07T13:00:00Z' }), token('cccccc'), token('dddddd', { expiration: 'soon' }));
    expect(await c.reconcile('kube-system/bootstrap-token-aaaaaa')).toBeUndefined();
    expect(await c.reconcile('kube-system/bootstrap-token-bbbbbb')).toEqual({ requeueAfterMs: 3_600_050 });
    expect(await c.reconcile('kube-system/bootstrap-token-cccccc')).toBeUndefined();
    expect(await c.reconcile('kube-system/bootstrap-token-dddddd')).toBeUndefined();
    const writes = w.client.writes('secrets');
    expect(writes.map((x) => [x.verb, x.name])).toEqual([['delete', 'bootstrap-token-aaaaaa']]);
  });
});

describe('bootstrap signer', () => {
  it('signs cluster-info for each signing token as kubeadm verifies it (a detached HS256 JWS keyed by the token secret)', async () => {
    const sig = detachedSignature(KUBECONFIG, 'abcdef', 'abcdef0123456789');
    const [header, payload, signature] = sig.split('.');
    expect(payload).toBe('');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', kid: 'abcdef' });
    // A JWS library verifies it with the payload put back, and refuses it under another secret.
    const jws = { protected: header!, payload: Buffer.from(KUBECONFIG).toString('base64url'), signature: signature! };
    expect(new TextDecoder().decode((await flattenedVerify(jws, new TextEncoder().encode('abcdef0123456789'))).payload)).toBe(KUBECONFIG);
    await expect(flattenedVerify(jws, new TextEncoder().encode('abcdef0123456780'))).rejects.toThrow();
  });

  it('adds the signatures of signing tokens, drops those of expired, non-signing and deleted ones, and keeps the kubeconfig', async () => {
    const w = fakeWorld();
    const signer = new BootstrapSigner(w.ctx, () => NOW);
    w.seed(
      'v1/secrets',
      token('aaaaaa'),
      token('bbbbbb', { expiration: '2026-12-07T13:00:00Z' }),
      token('cccccc', { expiration: '2026-12-07T11:00:00Z' }),
      token('dddddd', { 'usage-bootstrap-signing': 'false' }),
    );
    w.seed('v1/configmaps', clusterInfo({ kubeconfig: KUBECONFIG, 'jws-kubeconfig-zzzzzz': 'stale', 'jws-kubeconfig-aaaaaa': 'wrong' }));
    // Requeued for when bbbbbb expires, to drop its signature then.
    expect(await signer.reconcile()).toEqual({ requeueAfterMs: 3_600_050 });
    const [update] = w.client.writes('configmaps');
    expect((update!.body as ConfigMap).data).toEqual({
      kubeconfig: KUBECONFIG,
      'jws-kubeconfig-aaaaaa': detachedSignature(KUBECONFIG, 'aaaaaa', 'aaaaaa0123456789'),
      'jws-kubeconfig-bbbbbb': detachedSignature(KUBECONFIG, 'bbbbbb', 'bbbbbb0123456789'),
    });
  });

  it('writes nothing when the signatures are right, and nothing without cluster-info or its kubeconfig', async () => {
    const w = fakeWorld();
    const signer = new BootstrapSigner(w.ctx, () => NOW);
    w.seed('v1/secrets', token('aaaaaa'));
    await signer.reconcile();
    w.seed('v1/configmaps', clusterInfo({ other: 'x' }));
    await signer.reconcile();
    w.seed('v1/configmaps', clusterInfo({ kubeconfig: KUBECONFIG, 'jws-kubeconfig-aaaaaa': detachedSignature(KUBECONFIG, 'aaaaaa', 'aaaaaa0123456789') }));
    await signer.reconcile();
    expect(w.client.writes('configmaps')).toEqual([]);
  });
});
