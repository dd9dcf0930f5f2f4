import { describe, expect, it } from 'vitest';
import type { LeaseGrantRequest } from './api.js';
import { LeaseManager, reuseSeconds } from './leases.js';

function manager() {
  const grants: LeaseGrantRequest[] = [];
  let now = 1_000_000;
  const leases = new LeaseManager(
    async (req) => {
      grants.push(req);
      return { header: { revision: 1, member_id: 1 }, ID: req.ID, TTL: req.TTL, error: '' };
    },
    () => now,
  );
  return { leases, grants, advance: (ms: number) => (now += ms) };
}

describe('LeaseManager', () => {
  it('reuses a lease for a TTL within 5% of it (at most a minute), granted for the TTL plus that window', async () => {
    expect(reuseSeconds(3600)).toBe(60);
    expect(reuseSeconds(600)).toBe(30);
    expect(reuseSeconds(2)).toBe(0);
    const { leases, grants, advance } = manager();
    const first = await leases.leaseFor(3600);
    expect(grants).toEqual([{ TTL: 3660, ID: first }]);
    advance(59_000);
    expect(await leases.leaseFor(3600)).toBe(first);
    // 61 s on, the lease would no longer keep a new key for its full hour: a new one.
    advance(2_000);
    const second = await leases.leaseFor(3600);
    expect(second).not.toBe(first);
    expect(grants).toHaveLength(2);
  });

  it('grants once for writes that ask together, and per TTL', async () => {
    const { leases, grants } = manager();
    const ids = await Promise.all([leases.leaseFor(3600), leases.leaseFor(3600), leases.leaseFor(3600)]);
    expect(new Set(ids).size).toBe(1);
    await leases.leaseFor(600);
    expect(grants.map((g) => g.TTL)).toEqual([3660, 630]);
  });

  it('chooses ids a JavaScript number holds exactly, and tries another id when a grant fails', async () => {
    let calls = 0;
    const leases = new LeaseManager(async (req) => {
      if (++calls === 1) throw new Error('etcdserver: lease already exists');
      return { header: { revision: 1, member_id: 1 }, ID: req.ID, TTL: req.TTL, error: '' };
    });
    const id = await leases.leaseFor(60);
    expect(Number.isSafeInteger(id) && id > 0).toBe(true);
    expect(calls).toBe(2);
  });
});
