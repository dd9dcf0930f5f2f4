// Liveness, readiness and version endpoints: open to every client, no authentication.
import type { FastifyInstance } from 'fastify';
import type { KVStore } from '../storage/kv.js';
import { excludedChecks, healthAnswer, singleCheckAnswer } from '../../component-base/healthz.js';
import { indentJSON } from '../http/pretty.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(): VersionInfo {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0',
    gitCommit: 'kubette',
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export interface HealthOptions {
  etcd: KVStore;
  ready: () => boolean;
  /** True once a stop began: not ready (load balancers and clients go elsewhere), still live. */
  shuttingDown: () => boolean;
  staleCaches: () => Array<{ resource: string; state: string; staleMs: number }>;
}

type Check = () => Promise<string | undefined>;

export async function healthRoutes(app: FastifyInstance, opts: HealthOptions): Promise<void> {
  const etcdCheck: Check = async () => {
    try {
      await opts.etcd.ping(2000);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  // Ready only while every watch cache is up to date with etcd: after etcd comes back, LISTs
  // and watches served from a cache that is still catching up would be stale.
  const cacheCheck: Check = async () => {
    const stale = opts.staleCaches();
    if (stale.length === 0) return undefined;
    return `watch caches not up to date with etcd: ${stale.slice(0, 5).map((s) => `${s.resource} (${s.state})`).join(', ')}${stale.length > 5 ? ` and ${stale.length - 5} more` : ''}`;
  };
  const checks: Record<string, Check> = {
    ping: async () => undefined,
    etcd: etcdCheck,
    // Kubernetes' names: etcd-readiness (etcd answers a read), informer-sync (here: every
    // watch cache is up to date with etcd).
    'etcd-readiness': etcdCheck,
    'informer-sync': cacheCheck,
    'poststarthook/watch-cache-ready': async () => (opts.ready() ? undefined : 'watch caches are still loading'),
    shutdown: async () => (opts.shuttingDown() ? 'process is shutting down' : undefined),
  };
  // Liveness must not fail for what a restart cannot fix (etcd away, caches catching up).
  const forEndpoint: Record<string, string[]> = {
    '/healthz': ['ping', 'etcd', 'poststarthook/watch-cache-ready'],
    '/livez': ['ping', 'poststarthook/watch-cache-ready'],
    '/readyz': ['ping', 'etcd', 'etcd-readiness', 'informer-sync', 'poststarthook/watch-cache-ready', 'shutdown'],
  };

  const report = async (endpoint: string, verbose: boolean, exclude: string | string[] | undefined) => {
    const all = forEndpoint[endpoint]!;
    const excluded = excludedChecks(exclude, all);
    const names = all.filter((name) => !excluded.includes(name));
    // All at once: an unreachable etcd fails its checks in one ping timeout, not one per check;
    // names that share a check (etcd, etcd-readiness) share one run of it.
    const runs = new Map<Check, Promise<string | undefined>>();
    const results = await Promise.all(
      names.map((name) => {
        const check = checks[name]!;
        let result = runs.get(check);
        if (!result) runs.set(check, (result = check()));
        return result;
      }),
    );
    return healthAnswer(endpoint.slice(1), names.map((name, i) => ({ name, error: results[i] })), excluded, verbose);
  };

  for (const endpoint of ['/healthz', '/livez', '/readyz']) {
    app.get(endpoint, async (req, reply) => {
      const q = req.query as Record<string, string | string[] | undefined>;
      const { failed, text } = await report(endpoint, q.verbose !== undefined, q.exclude);
      return reply.code(failed ? 500 : 200).type('text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff').send(text);
    });
    app.get(`${endpoint}/:check`, async (req, reply) => {
      const { check } = req.params as { check: string };
      const fn = forEndpoint[endpoint]!.includes(check) ? checks[check] : undefined;
      if (!fn) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
      const answer = singleCheckAnswer((await fn()) || undefined);
      return reply.code(answer.code).type('text/plain; charset=utf-8').send(answer.text);
    });
  }
  app.get('/healthz/poststarthook/:hook', async (_req, reply) => reply.type('text/plain').send(opts.ready() ? 'ok' : 'not ready'));

  // Written as Kubernetes writes it, indented whoever asks (Go's MarshalIndent in its handler).
  app.get('/version', async (_req, reply) => reply.type('application/json').send(indentJSON(JSON.stringify(versionInfo()))));
}
