// One serialized worker per pod: syncs never overlap for a pod, a request during a sync makes
// exactly one more, and each pod is synced again after its back-off window or the resync
// period (the runtime can change under us: a container exits, a probe flips).
import type { Logger } from 'pino';
import type { Pod } from '../../api/types/pod.js';
import type { PodSyncer } from './sync.js';

interface Worker {
  pod?: Pod;
  gone: boolean;
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  /** Cancels the pass under way for a pod not yet being deleted, once its deletion is requested. */
  cancel?: AbortController;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  syncs = 0;
  errors = 0;

  constructor(
    private readonly syncer: PodSyncer,
    private readonly log: Logger,
    private readonly resyncMs = 10_000,
  ) {}

  update(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const w = this.workers.get(uid) ?? { gone: false, running: false, dirty: false };
    this.workers.set(uid, w);
    w.pod = pod;
    if (pod.metadata.deletionTimestamp) w.cancel?.abort();
    this.kick(uid);
  }

  /** The pod left the API: its containers and files go. */
  remove(uid: string): void {
    const w = this.workers.get(uid) ?? { gone: false, running: false, dirty: false };
    this.workers.set(uid, w);
    w.gone = true;
    w.cancel?.abort();
    this.kick(uid);
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  kick(uid: string): void {
    const w = this.workers.get(uid);
    if (!w || this.stopped) return;
    if (w.running) {
      w.dirty = true;
      return;
    }
    clearTimeout(w.timer);
    void this.run(uid, w);
  }

  private readonly inFlight = new Set<Promise<void>>();

  private run(uid: string, w: Worker): Promise<void> {
    const p = this.runLoop(uid, w).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  private async runLoop(uid: string, w: Worker): Promise<void> {
    w.running = true;
    let next = this.resyncMs;
    do {
      w.dirty = false;
      this.syncs++;
      try {
        if (w.gone) {
          await this.syncer.cleanup(uid);
          this.workers.delete(uid);
          w.running = false;
          return;
        }
        const pod = w.pod!;
        w.cancel = pod.metadata.deletionTimestamp ? undefined : new AbortController();
        const result = await this.syncer.sync(pod, w.cancel?.signal).finally(() => (w.cancel = undefined));
        next = Math.min(result.resyncAfterMs ?? this.resyncMs, this.resyncMs);
      } catch (err) {
        this.errors++;
        this.log.warn({ pod: w.pod ? `${w.pod.metadata.namespace}/${w.pod.metadata.name}` : uid, err: (err as Error).message }, 'pod sync failed; retrying');
        next = 2000;
      }
    } while (w.dirty && !this.stopped);
    w.running = false;
    if (!this.stopped) w.timer = setTimeout(() => this.kick(uid), next);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) clearTimeout(w.timer);
  }

  /** Stops taking work and waits for the syncs under way to finish. */
  async drain(): Promise<void> {
    this.stop();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
