// What a controller is waiting to see after its own writes: pods it created that the informer
// has not shown yet, pods it deleted that have not gone. Until they arrive, acting again on
// a stale cache would create or delete twice; after 5 minutes the wait is given up.
const TIMEOUT_MS = 5 * 60_000;

interface Pending {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  expectCreations(key: string, n: number): void {
    const p = this.pending.get(key) ?? { adds: 0, deletes: new Set<string>(), at: 0 };
    p.adds += n;
    p.at = Date.now();
    this.pending.set(key, p);
  }

  expectDeletions(key: string, uids: string[]): void {
    const p = this.pending.get(key) ?? { adds: 0, deletes: new Set<string>(), at: 0 };
    for (const u of uids) p.deletes.add(u);
    p.at = Date.now();
    this.pending.set(key, p);
  }

  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p && p.adds > 0) p.adds--;
  }

  /** A creation that will never be observed (the create call failed). */
  creationSkipped(key: string, n = 1): void {
    const p = this.pending.get(key);
    if (p) p.adds = Math.max(0, p.adds - n);
  }

  deletionObserved(key: string, uid: string): void {
    this.pending.get(key)?.deletes.delete(uid);
  }

  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    return (p.adds <= 0 && p.deletes.size === 0) || Date.now() - p.at > TIMEOUT_MS;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
