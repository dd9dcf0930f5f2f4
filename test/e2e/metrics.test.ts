// kubectl top, end to end: the kubelets' /metrics/resource on Docker, metrics-server scraping
// them and registered as the aggregated metrics.k8s.io, and unmodified kubectl reading it through
// the apiserver, with RBAC deciding who may.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '../../client/kubeconfig.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig, kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2, launcherArgs: ['--metric-resolution=2s'] });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

describe('kubectl top', () => {
  it('registers metrics.k8s.io, Available through the aggregator', async () => {
    await waitFor('APIService Available', async () => {
      const res = await kubectl.run(['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}']);
      return res.stdout === 'True' || undefined;
    }, 60_000);
    expect(await kubectl.ok(['api-resources', '--api-group=metrics.k8s.io', '--no-headers'])).toMatch(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
  }, 90_000);

  it('top node: every node with its CPU and memory, and percentages of what it can allocate', async () => {
    const out = await waitFor('both nodes measured', async () => {
      const res = await kubectl.run(['top', 'node']);
      // kubectl lists every node, with <unknown> for one not measured twice yet.
      return res.code === 0 && rows(res.stdout).length === 3 && !res.stdout.includes('<unknown>') ? res.stdout : undefined;
    }, 60_000);
    const [header, ...nodes] = rows(out);
    expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(nodes.map((r) => r[0]).sort()).toEqual([...cluster.nodes].sort());
    for (const r of nodes) {
      expect(r[1]).toMatch(/^\d+m$/);
      expect(r[2]).toMatch(/^\d+%$/);
      expect(r[3]).toMatch(/^\d+Mi$/);
      expect(Number(r[3]!.replace('Mi', ''))).toBeGreaterThan(0);
    }
  }, 90_000);

  it('top pod: a busy container shows its CPU, per container and by label; a pod with no metrics is an error', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'busy', labels: { app: 'busy' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          // Busy, but held to a tenth of a core by its limit.
          { name: 'spin', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do :; done'], resources: { limits: { cpu: '100m', memory: '32Mi' } } },
          { name: 'idle', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] },
        ],
      },
    }));
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/busy', '--timeout=60s']);
    const out = await waitFor('the busy pod measured as busy', async () => {
      const res = await kubectl.run(['top', 'pod', 'busy', '--containers']);
      if (res.code !== 0) return undefined;
      const spin = rows(res.stdout).find((r) => r[1] === 'spin');
      return spin && Number(spin[2]!.replace('m', '')) >= 20 ? res.stdout : undefined;
    }, 60_000);
    const [header, ...containers] = rows(out);
    expect(header).toEqual(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(containers.map((r) => r[1]).sort()).toEqual(['idle', 'spin']);
    const spin = containers.find((r) => r[1] === 'spin')!;
    // Never more than its limit allows (with some slack for the sampling window).
    expect(Number(spin[2]!.replace('m', ''))).toBeLessThanOrEqual(150);
    expect(rows(await kubectl.ok(['top', 'pod', '-l', 'app=busy', '--no-headers'])).map((r) => r[0])).toEqual(['busy']);
    const missing = await kubectl.run(['top', 'pod', 'no-such-pod']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('podmetrics.metrics.k8s.io "no-such-pod" not found');
  }, 120_000);

  it('RBAC: view lets a user read metrics (aggregated-metrics-reader); no role, no metrics', async () => {
    await kubectl.ok(['create', 'serviceaccount', 'viewer']);
    await kubectl.ok(['create', 'serviceaccount', 'nobody']);
    await kubectl.ok(['create', 'rolebinding', 'viewer-view', '--clusterrole=view', '--serviceaccount=default:viewer']);
    const as = async (sa: string) => {
      const token = (await kubectl.ok(['create', 'token', sa])).trim();
      return kubectlFor(loadClientConfig({ kubeconfig: cluster.kubeconfig }).server, undefined, ['--token', token, '--insecure-skip-tls-verify']).run(['top', 'pod', 'busy']);
    };
    const viewer = await waitFor('the viewer allowed', async () => {
      const res = await as('viewer');
      return res.code === 0 ? res : undefined;
    }, 30_000);
    expect(rows(viewer.stdout)[1]![0]).toBe('busy');
    const nobody = await as('nobody');
    expect(nobody.code).not.toBe(0);
    expect(nobody.stderr).toMatch(/forbidden/i);
  }, 90_000);
});
