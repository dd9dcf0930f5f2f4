// Horizontal pod autoscaling, end to end: busy pods on Docker, their CPU scraped by
// metrics-server and served as metrics.k8s.io, the controller-manager's HPA controller reading
// it through the aggregator and scaling Deployments through their scale subresource, and
// unmodified kubectl creating, listing and describing the autoscalers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 1,
    // Quick turns for a test: scrapes every 2 s, HPAs looked at every 2 s.
    launcherArgs: ['--metric-resolution=2s', '--controller-manager-args=--horizontal-pod-autoscaler-sync-period 2s'],
  });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  await waitFor('metrics API available', async () => {
    const res = await kubectl.run(['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}']);
    return res.stdout === 'True' || undefined;
  }, 60_000);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

function deployment(name: string, replicas: number, command: string) {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command], resources: { requests: { cpu: '50m' }, limits: { cpu: '100m' } } }],
        },
      },
    },
  });
}

const replicasOf = async (name: string) => Number(await kubectl.ok(['get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}']));

describe('HorizontalPodAutoscaler', () => {
  it('kubectl autoscale: busy pods over their CPU target are scaled up to maxReplicas, with the reason in events', async () => {
    // Each pod spins at its 100m limit: 200% of its 50m request.
    await kubectl.ok(['apply', '-f', '-'], deployment('spin', 1, 'while true; do :; done'));
    await kubectl.ok(['autoscale', 'deployment', 'spin', '--cpu-percent=50', '--min=1', '--max=3']);
    await waitFor('spin scaled to 3', async () => ((await replicasOf('spin')) === 3 ? true : undefined), 90_000);

    const row = (await kubectl.ok(['get', 'hpa', 'spin', '--no-headers'])).trim().split(/\s+/);
    // NAME REFERENCE TARGETS(2 words) MINPODS MAXPODS REPLICAS AGE
    expect(row.slice(0, 2)).toEqual(['spin', 'Deployment/spin']);
    expect(row[2]).toBe('cpu:');
    expect(row[3]).toMatch(/^\d+%\/50%$/);
    expect(Number(row[3]!.split('%')[0])).toBeGreaterThan(50);
    expect(row.slice(4, 6)).toEqual(['1', '3']);

    const hpa = JSON.parse(await kubectl.ok(['get', 'hpa', 'spin', '-o', 'json']));
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.status.desiredReplicas).toBe(3);
    expect(hpa.status.lastScaleTime).toBeTruthy();
    const cond = (t: string) => hpa.status.conditions.find((c: { type: string }) => c.type === t);
    expect(cond('ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });
    const describe = await kubectl.ok(['describe', 'hpa', 'spin']);
    expect(describe).toContain('SuccessfulRescale');
    expect(describe).toContain('New size: 3; reason: cpu resource utilization (percentage of request) above target');
    // Read as autoscaling/v1 too: the CPU target and its current value.
    const v1 = JSON.parse(await kubectl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'spin', '-o', 'json']));
    expect(v1.spec.targetCPUUtilizationPercentage).toBe(50);
    expect(v1.status.currentCPUUtilizationPercentage).toBeGreaterThan(50);
    await kubectl.ok(['delete', 'deployment', 'spin']);
  }, 150_000);

  it('scales idle pods down to minReplicas at once when its behavior has no stabilization window', async () => {
    await kubectl.ok(['apply', '-f', '-'], deployment('idle', 3, 'sleep 3600'));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'idle' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'idle' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
      },
    }));
    await waitFor('idle scaled to 1', async () => ((await replicasOf('idle')) === 1 ? true : undefined), 90_000);
    const hpa = JSON.parse(await kubectl.ok(['get', 'hpa', 'idle', '-o', 'json']));
    // The defaults filled in what the behavior left out.
    expect(hpa.spec.behavior.scaleUp).toMatchObject({ stabilizationWindowSeconds: 0, selectPolicy: 'Max' });
    expect(hpa.spec.behavior.scaleDown).toMatchObject({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=idle', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    expect(events).toMatch(/SuccessfulRescale: New size: 1; reason: All metrics below target/);
    // A client of autoscaling/v1 that reads the HPA and writes it back keeps what v1 cannot say.
    await waitFor('written back through v1', async () => {
      const v1 = await kubectl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'idle', '-o', 'json']);
      expect(JSON.parse(v1).metadata.annotations['autoscaling.alpha.kubernetes.io/behavior']).toBeTruthy();
      // The controller may write the status in between: a conflict, then another try.
      return (await kubectl.run(['replace', '-f', '-'], v1)).code === 0 || undefined;
    }, 30_000);
    const after = JSON.parse(await kubectl.ok(['get', 'hpa', 'idle', '-o', 'json']));
    expect(after.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(0);
    // The carrying annotations are v1's alone: the stored object does not keep them.
    expect(Object.keys(after.metadata.annotations ?? {}).filter((k) => k.startsWith('autoscaling.alpha.kubernetes.io/'))).toEqual([]);
    await kubectl.ok(['delete', 'deployment', 'idle']);
  }, 150_000);

  it('reports a target that does not exist, and refuses an invalid autoscaler', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'nowhere' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nowhere' }, maxReplicas: 2 },
    }));
    const cond = await waitFor('FailedGetScale reported', async () => {
      const out = await kubectl.ok(['get', 'hpa', 'nowhere', '-o', 'jsonpath={.status.conditions[?(@.type=="AbleToScale")].reason}']);
      return out === 'FailedGetScale' ? out : undefined;
    }, 30_000);
    expect(cond).toBe('FailedGetScale');
    expect(await kubectl.ok(['describe', 'hpa', 'nowhere'])).toContain('deployments.apps "nowhere" not found');
    const bad = await kubectl.run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'bad' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, minReplicas: 3, maxReplicas: 2 },
    }));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  }, 60_000);
});
