import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types/pod.js';
import { containerSpec, sandboxSpec, type NodeSettings } from './container-config.js';

const node: NodeSettings = { nodeName: 'n1', podNetwork: 'kubette', pauseImage: 'kubette/pause:3.9', clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80, hostPort: 8080 }] }], ...spec },
});

describe('sandbox', () => {
  it('gives ClusterFirst pods the cluster DNS, its search path and ndots:5', () => {
    expect(sandboxSpec(pod(), 0, node)).toMatchObject({
      dns: ['10.96.0.10'],
      dnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      dnsOptions: ['ndots:5'],
      hostname: 'web',
      networkMode: 'kubette',
      portBindings: { '80/tcp': [{ hostIP: undefined, hostPort: '8080' }] },
    });
  });

  it('honours dnsPolicy Default and None with dnsConfig', () => {
    expect(sandboxSpec(pod({ dnsPolicy: 'Default' }), 0, node).dns).toBeUndefined();
    const none = sandboxSpec(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.53'], searches: ['example.test'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), 0, node);
    expect(none).toMatchObject({ dns: ['10.96.0.53'], dnsSearch: ['example.test'], dnsOptions: ['ndots:2', 'edns0'] });
    const noClusterDNS = sandboxSpec(pod(), 0, { ...node, clusterDNS: [] });
    expect(noClusterDNS.dns).toBeUndefined();
  });
});

describe('container', () => {
  it('maps limits and requests to Docker, joins the sandbox and expands $(VAR)', () => {
    const p = pod();
    const c = { name: 'c', image: 'busybox:1.36', command: ['sh', '-c'], args: ['echo $(GREETING)'], resources: { limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '100m' } } };
    const spec = containerSpec(p, c, node, { sandboxId: 'sb', attempt: 2, kind: 'app', env: ['GREETING=hi'], vars: new Map([['GREETING', 'hi']]), binds: [], expand: (s, v) => s.replace('$(GREETING)', v.get('GREETING')!) });
    expect(spec).toMatchObject({ name: 'k8s_c_web_shop_u1_2', entrypoint: ['sh', '-c'], command: ['echo hi'], networkMode: 'container:sb', ipcMode: 'container:sb', memoryBytes: 128 * 1024 * 1024, nanoCPUs: 1_500_000_000, cpuShares: 102 });
    expect(spec.labels['io.kubette.container.attempt']).toBe('2');
  });
});
