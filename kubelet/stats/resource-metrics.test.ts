import { describe, expect, it } from 'vitest';
import { MemoryRuntime } from '../runtime/memory.js';
import { collectResourceMetrics } from './collector.js';
import { parseMeminfo, parseProcStat } from './node-usage.js';
import { formatResourceMetrics } from './resource-metrics.js';

describe('formatResourceMetrics', () => {
  it('writes the stable families with labels, values in seconds and bytes, and sample times', () => {
    const text = formatResourceMetrics(
      { timestamp: 1_700_000_000_500, cpuUsageCoreNanoSeconds: 12.5e9, memoryWorkingSetBytes: 2048 },
      [
        {
          namespace: 'ns',
          name: 'web',
          containers: [
            { name: 'a', startedAt: 1_700_000_000_000, stats: { timestamp: 1_700_000_001_000, cpuUsageCoreNanoSeconds: 1.5e9, memoryWorkingSetBytes: 100 } },
            { name: 'b"q', stats: { timestamp: 1_700_000_002_000, cpuUsageCoreNanoSeconds: 0.5e9, memoryWorkingSetBytes: 50 } },
          ],
        },
      ],
      false,
    );
    expect(text).toContain('# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\n');
    expect(text).toContain('container_cpu_usage_seconds_total{container="a",namespace="ns",pod="web"} 1.5 1700000001000\n');
    expect(text).toContain('container_memory_working_set_bytes{container="b\\"q",namespace="ns",pod="web"} 50 1700000002000\n');
    expect(text).toContain('container_start_time_seconds{container="a",namespace="ns",pod="web"} 1700000000 1700000001000\n');
    expect(text).not.toMatch(/container_start_time_seconds\{container="b/);
    expect(text).toContain('node_cpu_usage_seconds_total 12.5 1700000000500\n');
    expect(text).toContain('node_memory_working_set_bytes 2048 1700000000500\n');
    expect(text).toContain('pod_cpu_usage_seconds_total{namespace="ns",pod="web"} 2 1700000002000\n');
    expect(text).toContain('pod_memory_working_set_bytes{namespace="ns",pod="web"} 150 1700000002000\n');
    expect(text.endsWith('resource_scrape_error 0\n')).toBe(true);
  });
});

describe('node usage', () => {
  it('busy CPU from /proc/stat (not idle or iowait) and total less available memory', () => {
    expect(parseProcStat('cpu  100 20 30 5000 40 5 5 0 0 0\ncpu0 1 2 3 4\n')).toBe(1.6e9);
    expect(parseMeminfo('MemTotal:        8000 kB\nMemFree:         1000 kB\nMemAvailable:    3000 kB\n')).toBe(5000 * 1024);
    expect(() => parseMeminfo('MemTotal: 1 kB\n')).toThrow();
  });
});

describe('collectResourceMetrics', () => {
  it("reports this node's running containers by pod, and flags what it could not read", async () => {
    const runtime = new MemoryRuntime(['busybox']);
    const labels = (pod: string, node = 'n1') => ({ 'io.kubette.node': node, 'io.kubernetes.pod.uid': `${pod}-uid`, 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'ns' });
    const sandbox = await runtime.runPodSandbox({ metadata: { name: 'web', namespace: 'ns', uid: 'web-uid', attempt: 0 }, hostname: 'web', labels: labels('web'), hostNetwork: false, hostIPC: false, hostPID: false, sysctls: {}, portMappings: [], hostAliases: [] });
    const security = { privileged: false, capabilities: { add: [], drop: [] }, supplementalGroups: [], readonlyRootfs: false, noNewPrivs: false, seccomp: { type: 'RuntimeDefault' as const } };
    const make = async (name: string, podLabels: Record<string, string>) => {
      const id = await runtime.createContainer(sandbox, { metadata: { name, attempt: 0 }, image: 'busybox', envs: [], labels: podLabels, mounts: [], resources: {}, tty: false, stdin: false, stdinOnce: false, sharePid: false, security }, {} as never);
      await runtime.startContainer(id);
      return id;
    };
    const app = await make('app', labels('web'));
    await make('other-node', labels('elsewhere', 'n2'));
    runtime.usage.set(app, { cpuUsageCoreNanoSeconds: 3e9, memoryWorkingSetBytes: 4096 });
    const node = async () => ({ timestamp: 1, cpuUsageCoreNanoSeconds: 1e9, memoryWorkingSetBytes: 1 });
    const text = await collectResourceMetrics(runtime, 'n1', node);
    expect(text).toMatch(/^container_cpu_usage_seconds_total\{container="app",namespace="ns",pod="web"\} 3 \d+$/m);
    expect(text).toMatch(/^container_memory_working_set_bytes\{container="app",namespace="ns",pod="web"\} 4096 \d+$/m);
    expect(text).not.toContain('other-node');
    expect(text).toMatch(/^resource_scrape_error 0$/m);
    const broken = await collectResourceMetrics(runtime, 'n1', async () => Promise.reject(new Error('no /proc')));
    expect(broken).not.toContain('node_cpu_usage_seconds_total 1');
    expect(broken).toMatch(/^resource_scrape_error 1$/m);
  });
});
