// How soon a candidate asks again: a whole retry period after an answer (someone else holds the
// lease, a conflict, a refusal), but soon when the apiserver did not answer at all, as when a
// whole cluster starts at once and the apiserver is not listening yet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StatusError } from '../api/status.js';
import { FakeClient } from './fake-client.js';
import { LeaderElector } from './leader-election.js';

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
