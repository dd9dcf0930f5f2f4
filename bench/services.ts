// Services: the time from creating a Service (what `kubectl expose` does) to the first
// request answered through its cluster IP, and request throughput through the cluster IP vs
// straight to the one pod behind it (the raw baseline), measured in one run for each proxy
// mode. All traffic goes from this host to its own containers.
//
// Knobs: BENCH_REQUESTS (2000), BENCH_CONCURRENCY (16), BENCH_EXPOSES (10).
import { request } from 'undici';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import { fmt, percentile, runConcurrent } from './stats.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const EXPOSES = Number(process.env.BENCH_EXPOSES ?? 10);

type Obj = Record<string, any>;

async function api(c: Cluster, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Obj> {
  const res = await request(`${c.server}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as Obj;
}

async function get(url: string): Promise<boolean> {
  try {
    const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000, reset: true });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

async function measure(mode: string): Promise<string[]> {
  const cluster = await startCluster({ nodes: 1, launcherArgs: [`--proxy-mode=${mode}`] });
  try {
    await api(cluster, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36', command: ['sh', '-c', 'mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www'] }] } },
      },
    });
    let podIP = '';
    for (let i = 0; i < 600 && !podIP; i++) {
      const pods = (await api(cluster, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as Obj[];
      const ready = pods.find((p) => p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
      if (ready && (await get(`http://${ready.status.podIP}:8080/index.html`))) podIP = ready.status.podIP;
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (!podIP) throw new Error('the pod never came up');

    // Expose -> first answer through the cluster IP, several times.
    const toFirst: number[] = [];
    for (let i = 0; i < EXPOSES; i++) {
      const started = performance.now();
      const svc = await api(cluster, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: `web-${i}` }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
      while (!(await get(`http://${svc.spec.clusterIP}/index.html`))) await new Promise((r) => setTimeout(r, 5));
      toFirst.push(performance.now() - started);
      if (i < EXPOSES - 1) await api(cluster, 'DELETE', `/api/v1/namespaces/default/services/web-${i}`);
    }
    const clusterIP = (await api(cluster, 'GET', `/api/v1/namespaces/default/services/web-${EXPOSES - 1}`)).spec.clusterIP as string;

    const throughput = async (url: string) => {
      let ok = 0;
      const seconds = await runConcurrent(REQUESTS, CONCURRENCY, async () => {
        if (await get(url)) ok++;
      });
      return { perSecond: REQUESTS / seconds, ok };
    };
    // Alternate to even out the machine's noise.
    const direct1 = await throughput(`http://${podIP}:8080/index.html`);
    const viaService1 = await throughput(`http://${clusterIP}/index.html`);
    const direct2 = await throughput(`http://${podIP}:8080/index.html`);
    const viaService2 = await throughput(`http://${clusterIP}/index.html`);
    const direct = (direct1.perSecond + direct2.perSecond) / 2;
    const via = (viaService1.perSecond + viaService2.perSecond) / 2;
    const sorted = [...toFirst].sort((a, b) => a - b);
    return [
      `| ${mode}: create Service -> first answer via cluster IP (${EXPOSES}x) | p50 ${fmt(percentile(sorted, 50), 0)} ms, max ${fmt(sorted.at(-1)!, 0)} ms | | |`,
      `| ${mode}: requests/s, ${CONCURRENCY} in flight, new connection each | ${fmt(via, 0)}/s via cluster IP (${viaService1.ok + viaService2.ok}/${2 * REQUESTS} ok) | ${fmt(direct, 0)}/s to the pod IP (${direct1.ok + direct2.ok}/${2 * REQUESTS} ok) | ${fmt(via / direct, 2)} |`,
    ];
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const mode of ['iptables', 'userspace']) rows.push(...(await measure(mode)));
  console.log('\n| measure | through the Service | raw baseline | ratio |\n|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
