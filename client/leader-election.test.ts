// How soon a candidate asks again: a whole retry period after an answer (someone else holds the
// lease, a conflict, a refusal), but soon when the apiserver did not answer at all, as when a
// whole cluster starts at once and the apiserver is not listening yet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StatusError } from '../api/status.js';
import { FakeClient } from './fake-client.js';
import { resource } from './rest.js';
import { leaderElectionClient, LeaderElector } from './leader-election.js';

const opts = { namespace: 'kube-system', name: 'lock', identity: 'me', retryPeriodMs: 2000 };
const gets = (c: FakeClient) => c.actions.filter((a) => a.verb === 'get' && a.resource === 'leases').length;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('LeaderElector retries', () => {
  it('asks again within 200 ms while the apiserver does not answer, and leads once it does', async () => {
    const client = new FakeClient();
    client.failWhen({ verb: 'get', resource: 'leases' }, new Error('connect ECONNREFUSED 127.0.0.1:6443'), 3);
    const stop = new AbortController();
    const elector = new LeaderElector(client, opts);
    const running = elector.run(stop.signal, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(gets(client)).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(gets(client)).toBe(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(gets(client)).toBeGreaterThanOrEqual(4);
    expect(elector.isLeader).toBe(true);
    stop.abort();
    await vi.advanceTimersByTimeAsync(5000);
    await running;
  });

  it('waits the whole retry period after an answer that is a refusal', async () => {
    const client = new FakeClient();
    client.failWhen({ verb: 'get', resource: 'leases' }, new StatusError(503, 'ServiceUnavailable', 'etcd is unavailable'), 2);
    const stop = new AbortController();
    const elector = new LeaderElector(client, opts);
    const running = elector.run(stop.signal, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(gets(client)).toBe(1);
    await vi.advanceTimersByTimeAsync(1900);
    expect(gets(client)).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(gets(client)).toBe(2);
    expect(elector.isLeader).toBe(false);
    stop.abort();
    await vi.advanceTimersByTimeAsync(5000);
    await running;
  });
});

describe('LeaderElector renewals', () => {
  const leases = resource('coordination.k8s.io/v1/leases');
  const calls = (c: FakeClient) => c.actions.filter((a) => a.resource === 'leases').map((a) => a.verb);

  it('renews in one request, the Lease as it last wrote it', async () => {
    const client = new FakeClient();
    const stop = new AbortController();
    const elector = new LeaderElector(client, opts);
    const running = elector.run(stop.signal, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(elector.isLeader).toBe(true);
    expect(calls(client)).toEqual(['get', 'create']);
    client.actions.length = 0;
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls(client)).toEqual(['update', 'update']);
    expect(client.stored(leases, 'kube-system', 'lock')?.spec).toMatchObject({ holderIdentity: 'me', renewTime: expect.any(String) });
    stop.abort();
    await vi.advanceTimersByTimeAsync(5000);
    await running;
  });

  it('reads the Lease when someone else wrote it since, and steps down if they hold it', async () => {
    const client = new FakeClient();
    const stop = new AbortController();
    const elector = new LeaderElector(client, opts);
    let leading: AbortSignal | undefined;
    const running = elector.run(stop.signal, (signal) => {
      leading = signal;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(elector.isLeader).toBe(true);
    // Another candidate took the Lease (as after this process was frozen past its expiry).
    const lease = client.stored(leases, 'kube-system', 'lock')!;
    await client.update(leases, { ...lease, spec: { ...lease.spec, holderIdentity: 'other', renewTime: new Date().toISOString() } });
    client.actions.length = 0;
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls(client)).toEqual(['update', 'get']);
    expect(leading?.aborted).toBe(true);
    expect(client.stored(leases, 'kube-system', 'lock')?.spec?.holderIdentity).toBe('other');
    await running;
  });
});

describe('the leader-election client', () => {
  it("gives each request half the renew deadline, at least a second, as client-go's does", async () => {
    const flags = (deadline: number) => ({ 'leader-elect': true, 'leader-elect-renew-deadline': deadline, 'leader-elect-retry-period': 2000 });
    for (const [deadline, timeout] of [[10_000, 5_000], [6_000, 3_000], [1_500, 1_000]] as const) {
      const client = leaderElectionClient({ server: 'http://127.0.0.1:1' }, flags(deadline));
      expect(client.config.timeoutMs).toBe(timeout);
      await client.close();
    }
  });
});
