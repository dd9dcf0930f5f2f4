// Periodic etcd compaction. Each run compacts to the revision observed at the previous run,
// so clients keep about one interval of history to resume watches from. A version-checked
// key makes several apiservers agree on who compacts (as Kubernetes' compact_rev_key does).
import type { Logger } from 'pino';
import type { KVStore } from './kv.js';

export class Compactor {
  private timer?: NodeJS.Timeout;
  private version = 0;
  private lastRevision = 0;

  constructor(
    private readonly etcd: KVStore,
    private readonly key: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    try {
      const current = await this.etcd.currentRevision();
      const res = await this.etcd.casVersion(this.key, this.version, String(current));
      if (!res.ok) {
        // Another apiserver compacted in this interval: follow its version.
        this.version = res.version;
        return;
      }
      this.version = res.version;
      if (this.lastRevision > 0) {
        await this.etcd.compact(this.lastRevision);
        this.log.info({ revision: this.lastRevision }, 'compacted etcd');
      }
      this.lastRevision = current;
    } catch (err) {
      this.log.warn({ err }, 'etcd compaction failed');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
