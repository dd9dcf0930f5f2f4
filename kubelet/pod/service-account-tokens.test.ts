import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/api-client.js';
import { ServiceAccountTokenManager } from './service-account-tokens.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', uid: 'u-1' }, spec: { serviceAccountName: 'builder', containers: [] } };

/** An apiserver that answers TokenRequests with numbered tokens, or fails while `down`. */
function fakeApi(clock: { now: number }) {
  const requests: Array<{ path: string; body: any }> = [];
  const state = { down: false };
  const client = {
    path: (_r: unknown, ns: string, name: string, sub: string) => `/api/v1/namespaces/${ns}/serviceaccounts/${name}/${sub}`,
    request: async (_m: string, path: string, opts: { body: any }) => {
      if (state.down) throw new Error('connect ECONNREFUSED');
      requests.push({ path, body: opts.body });
      const ttl = opts.body.spec.expirationSeconds * 1000;
      return { status: { token: `token-${requests.length}`, expirationTimestamp: new Date(clock.now + ttl).toISOString() } };
    },
  } as unknown as ApiClient;
  return { client, requests, state };
}

describe('service-account token manager', () => {
  it('requests a token bound to the pod, reuses it, and requests a new one after 80% of its lifetime', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const api = fakeApi(clock);
    const m = new ServiceAccountTokenManager(api.client, pino({ level: 'silent' }), () => clock.now);
    expect(await m.token(pod, { expirationSeconds: 3607 })).toBe('token-1');
    expect(api.requests[0]).toEqual({
      path: '/api/v1/namespaces/shop/serviceaccounts/builder/token',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'u-1' } },
      },
    });
    clock.now += 2800_000; // 78% of 3607 s
    expect(await m.token(pod, { expirationSeconds: 3607 })).toBe('token-1');
    clock.now += 100_000; // past 80%
    expect(await m.token(pod, { expirationSeconds: 3607 })).toBe('token-2');
    // Another audience is another token.
    expect(await m.token(pod, { audience: 'vault', expirationSeconds: 3607 })).toBe('token-3');
    expect(api.requests[2]!.body.spec.audiences).toEqual(['vault']);
  });

  it('keeps a still-valid token while the apiserver is down, fails once it has expired, and forgets a pod', async () => {
    const clock = { now: 0 };
    const api = fakeApi(clock);
    const m = new ServiceAccountTokenManager(api.client, pino({ level: 'silent' }), () => clock.now);
    expect(await m.token(pod, { expirationSeconds: 600 })).toBe('token-1');
    api.state.down = true;
    clock.now = 500_000;
    expect(await m.token(pod, { expirationSeconds: 600 })).toBe('token-1');
    clock.now = 601_000;
    await expect(m.token(pod, { expirationSeconds: 600 })).rejects.toThrow('failed to fetch token for service account shop/builder: connect ECONNREFUSED');
    api.state.down = false;
    m.forget('u-1');
    clock.now = 0;
    expect(await m.token(pod, { expirationSeconds: 600 })).toBe('token-2');
  });
});
