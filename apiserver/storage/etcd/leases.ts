// Leases for keys that expire on their own (Events, --event-ttl), granted as Kubernetes'
// storage grants them: one lease serves every write asking for the same TTL within a short
// window (5% of the TTL, at most a minute), so a burst of Events costs etcd one LeaseGrant
// rather than one each. The lease is granted for the TTL plus that window, and reused only
// while it outlives the new write's TTL: every key lives at least its TTL, at most the window
// longer.
import { randomInt } from 'node:crypto';
import type { LeaseGrantRequest, LeaseGrantResponse } from './api.js';
import type { EtcdClient } from './client.js';

const MAX_REUSE_SECONDS = 60;
const GRANT_ATTEMPTS = 3;

/** How long a lease granted for `ttlSeconds` may be handed out again. */
export function reuseSeconds(ttlSeconds: number): number {
  return Math.min(Math.floor(ttlSeconds * 0.05), MAX_REUSE_SECONDS);
}

interface Granted {
  id: number;
  /** When etcd lets it go (ms since the epoch), as requested. */
  expiresAt: number;
}

export class LeaseManager {
  private readonly latest = new Map<number, Granted>();
  private readonly granting = new Map<number, Promise<Granted>>();

  constructor(
    private readonly grant: (req: LeaseGrantRequest) => Promise<LeaseGrantResponse>,
    private readonly now: () => number = Date.now,
  ) {}

  static over(client: EtcdClient): LeaseManager {
    // Not resent after a lost answer: the next attempt asks for a new id (an orphaned lease
    // only expires, holding nothing).
    return new LeaseManager(async (req) => (await client.call('LeaseGrant', req, { retryAmbiguous: false, write: true })).res);
  }

  /** The id of a lease that keeps a key written now for at least `ttlSeconds`. */
  async leaseFor(ttlSeconds: number): Promise<number> {
    const now = this.now();
    const prev = this.latest.get(ttlSeconds);
    if (prev && prev.expiresAt > now + ttlSeconds * 1000 && prev.expiresAt <= now + (ttlSeconds + reuseSeconds(ttlSeconds)) * 1000) return prev.id;
    // Writes arriving together share one grant.
    let pending = this.granting.get(ttlSeconds);
    if (!pending) {
      pending = this.grantFor(ttlSeconds).finally(() => this.granting.delete(ttlSeconds));
      this.granting.set(ttlSeconds, pending);
    }
    return (await pending).id;
  }

  private async grantFor(ttlSeconds: number): Promise<Granted> {
    const ttl = ttlSeconds + reuseSeconds(ttlSeconds);
    for (let attempt = 1; ; attempt++) {
      const requestedAt = this.now();
      // The id is ours to choose: etcd's own are 63-bit, which a JavaScript number cannot hold
      // exactly. 48 random bits make a collision with another apiserver's lease unlikely, and
      // one only fails this attempt ("lease already exists").
      const id = randomInt(1, 2 ** 48 - 1);
      try {
        const res = await this.grant({ TTL: ttl, ID: id });
        if (res.error) throw new Error(`etcd: LeaseGrant: ${res.error}`);
        const granted = { id, expiresAt: requestedAt + ttl * 1000 };
        this.latest.set(ttlSeconds, granted);
        return granted;
      } catch (err) {
        if (attempt >= GRANT_ATTEMPTS) throw err;
      }
    }
  }
}
