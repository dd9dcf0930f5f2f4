// Liveness, readiness and version endpoints: open to every client, no authentication.
import type { FastifyInstance } from 'fastify';
import type { EtcdStore } from '../storage/etcd-store.js';

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

export async function healthRoutes(app: FastifyInstance, opts: { etcd: EtcdStore; ready: () => boolean }): Promise<void> {
  const etcdCheck = async (): Promise<string | undefined> => {
    try {
      await Promise.race([
        opts.etcd.currentRevision(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('etcd did not answer within 2s')), 2000)),
      ]);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const checks: Record<string, () => Promise<string | undefined>> = {
    ping: async () => undefined,
    etcd: etcdCheck,
    'poststarthook/watch-cache-ready': async () => (opts.ready() ? undefined : 'watch caches are still loading'),
  };

  const report = async (verbose: boolean, exclude: string[]) => {
    const lines: string[] = [];
    let failed = false;
    for (const [name, check] of Object.entries(checks)) {
      if (exclude.includes(name)) continue;
      const err = await check();
      if (err) failed = true;
      lines.push(err ? `[-]${name} failed: reason withheld` : `[+]${name} ok`);
    }
    const which = failed ? 'failed' : 'passed';
    return { failed, text: verbose ? `${lines.join('\n')}\nhealthz check ${which}\n` : failed ? `${lines.join('\n')}\nhealthz check failed\n` : 'ok' };
  };

  for (const endpoint of ['/healthz', '/livez', '/readyz']) {
    app.get(endpoint, async (req, reply) => {
      const q = req.query as Record<string, string | string[] | undefined>;
      const exclude = ([] as string[]).concat(q.exclude ?? []);
      const { failed, text } = await report(q.verbose !== undefined, exclude);
      return reply.code(failed ? 500 : 200).type('text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff').send(text);
    });
    app.get(`${endpoint}/:check`, async (req, reply) => {
      const { check } = req.params as { check: string };
      const fn = checks[check];
      if (!fn) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
      const err = await fn();
      return reply.code(err ? 500 : 200).type('text/plain; charset=utf-8').send(err ? `internal server error: ${err}\n` : 'ok');
    });
  }
  app.get('/healthz/poststarthook/:hook', async (_req, reply) => reply.type('text/plain').send(opts.ready() ? 'ok' : 'not ready'));

  app.get('/version', async () => versionInfo());
}
