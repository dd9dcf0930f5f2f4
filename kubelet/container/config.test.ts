import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { containerConfig, sandboxConfig, type NodeSettings } from './config.js';
import { containerSecurity } from './security.js';

const node: NodeSettings = { nodeName: 'n1', clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80, hostPort: 8080 }] }], ...spec },
});

describe('sandbox', () => {
  it('gives ClusterFirst pods the cluster DNS, its search path and ndots:5', () => {
    expect(sandboxConfig(pod(), 3, node)).toMatchObject({
      metadata: { name: 'web', namespace: 'shop', uid: 'u1', attempt: 3 },
      dns: { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] },
      hostname: 'web',
      hostNetwork: false,
      portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }],
      labels: { 'io.kubette.node': 'n1', 'io.kubernetes.pod.uid': 'u1' },
    });
  });

  it('honours dnsPolicy Default and None with dnsConfig', () => {
    expect(sandboxConfig(pod({ dnsPolicy: 'Default' }), 0, node).dns).toBeUndefined();
    const none = sandboxConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.53'], searches: ['example.test'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), 0, node);
    expect(none.dns).toEqual({ servers: ['10.96.0.53'], searches: ['example.test'], options: ['ndots:2', 'edns0'] });
    const noClusterDNS = sandboxConfig(pod(), 0, { ...node, clusterDNS: [] });
    expect(noClusterDNS.dns).toBeUndefined();
  });

  it('sets the kernel hostname to the FQDN with setHostnameAsFQDN and a subdomain, refusing one over 64 characters', () => {
    expect(sandboxConfig(pod({ hostname: 'api', subdomain: 'backend' }), 0, node).hostname).toBe('api');
    expect(sandboxConfig(pod({ hostname: 'api', subdomain: 'backend', setHostnameAsFQDN: true }), 0, node).hostname).toBe('api.backend.shop.svc.cluster.local');
    // Without a subdomain there is no FQDN to set.
    expect(sandboxConfig(pod({ setHostnameAsFQDN: true }), 0, node).hostname).toBe('web');
    expect(() => sandboxConfig(pod({ hostname: 'a'.repeat(40), subdomain: 'backend', setHostnameAsFQDN: true }), 0, node)).toThrow(
      /^failed to construct FQDN from pod hostname and cluster domain, FQDN a+\.backend\.shop\.svc\.cluster\.local is too long \(64 characters is the max, 71 characters requested\)$/,
    );
  });

  it("shares the node's namespaces the pod asks for, and sets its sysctls by dotted name", () => {
    expect(sandboxConfig(pod(), 0, node)).toMatchObject({ hostIPC: false, hostPID: false, sysctls: {} });
    const host = sandboxConfig(pod({ hostIPC: true, hostPID: true, securityContext: { sysctls: [{ name: 'kernel/shm_rmid_forced', value: '1' }] } }), 0, node);
    expect(host).toMatchObject({ hostIPC: true, hostPID: true, sysctls: { 'kernel.shm_rmid_forced': '1' } });
  });
});

describe('container', () => {
  it('turns limits and requests into cgroup settings and expands $(VAR) in command and args', () => {
    const p = pod({ shareProcessNamespace: true });
    const c = { name: 'c', image: 'busybox:1.36', command: ['sh', '-c'], args: ['echo $(GREETING)'], resources: { limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '100m' } } };
    const config = containerConfig(p, c, node, { attempt: 2, kind: 'app', env: ['GREETING=hi', 'EQ=a=b'], vars: new Map([['GREETING', 'hi']]), mounts: [], expand: (s, v) => s.replace('$(GREETING)', v.get('GREETING')!), security: containerSecurity(p, c, '/r') });
    expect(config).toMatchObject({
      metadata: { name: 'c', attempt: 2 },
      command: ['sh', '-c'],
      args: ['echo hi'],
      envs: [{ key: 'GREETING', value: 'hi' }, { key: 'EQ', value: 'a=b' }],
      resources: { memoryLimitBytes: 128 * 1024 * 1024, cpuPeriod: 100_000, cpuQuota: 150_000, cpuShares: 102 },
      sharePid: true,
    });
    expect(config.labels['io.kubette.container.kind']).toBe('app');
    expect(config.security.seccomp).toEqual({ type: 'RuntimeDefault' });
  });
});
