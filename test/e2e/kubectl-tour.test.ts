// kubectl's everyday commands on a populated cluster, as a user meets them (issue 14):
// `describe` of every kind the server lists exits 0, `get all` shows the workload kinds,
// `wait` for conditions and deletion, `diff` shows only what the manifest changes, and
// `apply --prune` removes what left the manifest; every listed kind served as protobuf too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, readWatchFrames } from '../../api/protobuf/envelope.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  // One of nearly everything.
  const k = (args: string[]) => kubectl.ok(args);
  await k(['create', 'deployment', 'web', '--image=busybox:1.36', '--', 'sleep', '3600']);
  await k(['expose', 'deployment', 'web', '--port=80']);
  await k(['create', 'job', 'once', '--image=busybox:1.36', '--', 'true']);
  await k(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/30 * * * *', '--', 'true']);
  await k(['create', 'configmap', 'cm', '--from-literal=a=b']);
  await k(['create', 'secret', 'generic', 'sec', '--from-literal=a=b']);
  await k(['create', 'serviceaccount', 'robot']);
  await k(['create', 'role', 'reader', '--verb=get', '--resource=pods']);
  await k(['create', 'rolebinding', 'reader', '--role=reader', '--serviceaccount=default:robot']);
  await k(['create', 'clusterrole', 'creader', '--verb=get', '--resource=nodes']);
  await k(['create', 'clusterrolebinding', 'creader', '--clusterrole=creader', '--user=jane']);
  await k(['create', 'pdb', 'web', '--selector=app=web', '--min-available=1']);
  await k(['create', 'ingress', 'web', '--rule=web.example.com/=web:80']);
  await k(['create', 'priorityclass', 'high', '--value=1000']);
  await k(['create', 'quota', 'q', '--hard=pods=20']);
  await k(['autoscale', 'deployment', 'web', '--min=1', '--max=3', '--cpu-percent=80']);
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }));
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: {} } }));
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '100m' } }] } }));
  await k(['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('kubectl tour', () => {
  it('describes every kind it lists, each with exit code 0', async () => {
    const kinds = (await kubectl.ok(['api-resources', '--verbs=list', '-o', 'name'])).trim().split('\n');
    expect(kinds.length).toBeGreaterThan(35);
    const failures: string[] = [];
    for (const kind of kinds) {
      const res = await kubectl.run(['describe', kind, '-A']);
      if (res.code !== 0) failures.push(`${kind}: ${res.stderr.trim().split('\n').pop()}`);
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('serves every listed built-in kind as protobuf, the same objects as JSON, lists and watches', async () => {
    const PB = 'application/vnd.kubernetes.protobuf';
    const rows = (await kubectl.ok(['api-resources', '--verbs=list', '--no-headers', '-o', 'wide'])).trim().split('\n');
    // Zero values: Go's JSON keeps some that this server's JSON leaves out; compare without them.
    const meaningful = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(meaningful);
      if (!v || typeof v !== 'object') return v;
      const kept = Object.entries(v).map(([k, x]) => [k, meaningful(x)] as const);
      return Object.fromEntries(kept.filter(([, x]) => !(x === '' || x === 0 || x === false || x === null || (typeof x === 'object' && Object.keys(x as object).length === 0))));
    };
    let compared = 0;
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      const plural = cols[0]!;
      const apiVersion = cols.find((c) => /^([a-z0-9.-]+\/)?v\d/.test(c))!;
      // Aggregated APIs (metrics-server's metrics.k8s.io) are not this server's kinds.
      if (apiVersion.startsWith('metrics.k8s.io/')) continue;
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const json = (await (await fetch(`${cluster.server}${base}/${plural}`)).json()) as { metadata: { resourceVersion?: string }; items: unknown[] };
      // The same revision, where the list has one (componentstatuses are probed, not stored: none).
      const rv = json.metadata.resourceVersion;
      const exact = `${cluster.server}${base}/${plural}${rv ? `?resourceVersion=${rv}&resourceVersionMatch=Exact` : ''}`;
      const res = await fetch(exact, { headers: { Accept: `${PB},application/json` } });
      expect(res.headers.get('content-type'), plural).toBe(PB);
      const decoded = decodeKubernetesProtobuf(Buffer.from(await res.arrayBuffer()));
      // Protobuf list items carry no apiVersion and kind (the list's typeMeta says them).
      const items = (json.items as Array<Record<string, unknown>>).map(({ apiVersion: _v, kind: _k, ...rest }) => rest);
      expect(meaningful(decoded.items ?? []), plural).toEqual(meaningful(items));
      compared++;
    }
    expect(compared).toBeGreaterThan(35);
    const watch = await fetch(`${cluster.server}/api/v1/pods?watch=1&resourceVersion=0&timeoutSeconds=1`, { headers: { Accept: PB } });
    const events = readWatchFrames(Buffer.from(await watch.arrayBuffer()));
    expect(events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^web-/)]));
  }, 120_000);

  it('gets all, and waits for conditions and deletions', async () => {
    const all = await kubectl.ok(['get', 'all']);
    for (const what of ['pod/web-', 'service/web', 'deployment.apps/web', 'replicaset.apps/web-', 'job.batch/once', 'cronjob.batch/tick', 'horizontalpodautoscaler.autoscaling/web']) expect(all).toContain(what);
    await kubectl.ok(['wait', '--for=condition=Complete', 'job/once', '--timeout=60s']);
    await kubectl.ok(['delete', 'configmap', 'cm', '--wait=false']);
    await kubectl.ok(['wait', '--for=delete', 'configmap/cm', '--timeout=30s']);
  }, 90_000);

  it("describe's Events name their source as Kubernetes does: each controller, the kubelet and the node controller", async () => {
    // Events are written in the background: look until each has arrived.
    const shows = (args: string[], row: RegExp) =>
      waitFor(`${args.join(' ')} to show ${row}`, async () => {
        const out = await kubectl.ok(['describe', ...args]);
        return row.test(out.slice(out.indexOf('\nEvents:'))) ? true : undefined;
      }, 30_000, 500);
    await shows(['deployment', 'web'], /Normal\s+ScalingReplicaSet\s+.*\sdeployment-controller\s+Scaled up replica set web-\w+ from 0 to 1/);
    await shows(['replicaset', '-l', 'app=web'], /Normal\s+SuccessfulCreate\s+.*\sreplicaset-controller\s+Created pod: web-/);
    await kubectl.ok(['wait', '--for=condition=Complete', 'job/once', '--timeout=60s']);
    await shows(['job', 'once'], /Normal\s+Completed\s+.*\sjob-controller\s+Job completed/);
    const node = (await kubectl.ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')[0]!.replace('node/', '');
    // The kubelet's events are about the Node by name, the node controller's by uid: describe finds both.
    await shows(['node', node], /Normal\s+Starting\s+.*\skubelet\s+Starting kubelet\./);
    await shows(['node', node], new RegExp(`Normal\\s+NodeReady\\s+.*\\skubelet\\s+Node ${node} status is now: NodeReady`));
    await shows(['node', node], new RegExp(`Normal\\s+RegisteredNode\\s+.*\\snode-controller\\s+Node ${node} event: Registered Node ${node} in Controller`));
  }, 120_000);

  it('diffs only what the manifest changes, and prunes what left it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubette-tour-'));
    try {
      const cm = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { tour: 'yes' } }, data: { v: value } });
      const file = join(dir, 'm.json');
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cm('p1', '1'), cm('p2', '1')] }));
      await kubectl.ok(['apply', '-f', file, '-l', 'tour=yes', '--prune']);
      const same = await kubectl.run(['diff', '-f', file]);
      expect(same).toMatchObject({ code: 0, stdout: '' });
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cm('p1', '2')] }));
      const diff = await kubectl.run(['diff', '-f', file]);
      expect(diff.code).toBe(1);
      // The data change, and nothing the server keeps on its own (generation, managed fields).
      expect(diff.stdout.split('\n').filter((l) => /^[-+] /.test(l))).toEqual(['-  v: "1"', '+  v: "2"']);
      const pruned = await kubectl.ok(['apply', '-f', file, '-l', 'tour=yes', '--prune']);
      expect(pruned).toContain('configmap/p2 pruned');
      expect((await kubectl.ok(['get', 'cm', '-l', 'tour=yes', '-o', 'name'])).trim()).toBe('configmap/p1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
