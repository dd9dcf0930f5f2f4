// Write load for fault tests: clients creating ConfigMaps with names used once each, so an
// AlreadyExists can only be a lie, and a record of what the server acknowledged.

export interface WriteOutcome {
  name: string;
  status: number;
  /** 0 when the connection failed (the outcome is unknown to the client). */
  ms: number;
  at: number;
}

export interface LoadResult {
  outcomes: WriteOutcome[];
  acknowledged: string[];
  /** Answers that were neither 201 nor a retryable 5xx/429: the server lied or broke. */
  wrong: WriteOutcome[];
  failed: WriteOutcome[];
  maxMs: number;
}

export interface Load {
  stop(): Promise<LoadResult>;
  /** Resolves once at least `n` writes were acknowledged. */
  acknowledged(n: number): Promise<void>;
  /** How many writes were acknowledged so far. */
  readonly ackedSoFar: number;
}

export function startWriteLoad(servers: string[], opts: { namespace?: string; prefix: string; concurrency?: number }): Load {
  const ns = opts.namespace ?? 'default';
  const outcomes: WriteOutcome[] = [];
  let running = true;
  let next = 0;
  let acked = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const worker = async (w: number) => {
    // Each worker goes round the servers on its own, so a dead one never captures a worker.
    for (let k = w; running; k++) {
      const i = next++;
      const name = `${opts.prefix}-${i}`;
      const server = servers[k % servers.length]!;
      const started = Date.now();
      let status = 0;
      try {
        const res = await fetch(`${server}/api/v1/namespaces/${ns}/configmaps`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ metadata: { name, labels: { load: opts.prefix } }, data: { i: String(i) } }),
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch (err) {
        if (process.env.KUBETTE_DEBUG_LOAD) console.log(server, (err as Error).message, (err as Error & { cause?: Error }).cause?.message);
        status = 0;
        await new Promise((r) => setTimeout(r, 50));
      }
      outcomes.push({ name, status, ms: Date.now() - started, at: started });
      if (status === 201) {
        acked++;
        for (const wt of waiters.filter((x) => acked >= x.n)) wt.resolve();
      }
    }
  };
  const workers = Array.from({ length: opts.concurrency ?? 4 }, (_, w) => worker(w));
  return {
    acknowledged: (n) => (acked >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    get ackedSoFar() {
      return acked;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
      const acknowledged = outcomes.filter((o) => o.status === 201).map((o) => o.name);
      const retryable = (s: number) => s === 0 || s === 429 || s === 503 || s === 504;
      return {
        outcomes,
        acknowledged,
        wrong: outcomes.filter((o) => o.status !== 201 && !retryable(o.status)),
        failed: outcomes.filter((o) => o.status !== 201),
        maxMs: Math.max(0, ...outcomes.map((o) => o.ms)),
      };
    },
  };
}

/** Every name under the load's label, read with a quorum LIST. */
export async function storedNames(server: string, prefix: string, namespace = 'default'): Promise<Set<string>> {
  const res = await fetch(`${server}/api/v1/namespaces/${namespace}/configmaps?labelSelector=load%3D${prefix}`);
  const body = (await res.json()) as { items: Array<{ metadata: { name: string } }> };
  return new Set(body.items.map((i) => i.metadata.name));
}
