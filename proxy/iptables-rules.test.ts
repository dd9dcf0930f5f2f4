import { describe, expect, it } from 'vitest';
import { renderRules, restoreInput } from './iptables-rules.js';
import type { Service } from '../api/types/core.js';
import type { EndpointSlice } from '../api/types/discovery.js';
import { buildServiceMap } from './service-map.js';
import { healthChecks } from './health-check-server.js';

const services: Service[] = [
  { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.1.1', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] } },
  { metadata: { name: 'empty', namespace: 'default' }, spec: { clusterIP: '10.96.1.2', ports: [{ port: 81, protocol: 'TCP' }] } },
  { metadata: { name: 'headless', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 82 }] } },
];
const slices: EndpointSlice[] = [
  {
    addressType: 'IPv4',
    metadata: { name: 'web-a', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [
      { addresses: ['172.18.0.2'], conditions: { ready: true } },
      { addresses: ['172.18.0.3'], conditions: { ready: true } },
      { addresses: ['172.18.0.4'], conditions: { ready: false } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  },
];

describe('service map and iptables rules', () => {
  const map = buildServiceMap(services, slices);

  it('keeps ready endpoints per service port and skips headless services', () => {
    expect(map.map((p) => [p.key, p.endpoints.map((e) => `${e.ip}:${e.port}`)])).toEqual([
      ['default/empty:', []],
      ['default/web:http', ['172.18.0.2:8080', '172.18.0.3:8080']],
    ]);
    expect(map[1]!.affinitySeconds).toBe(10800);
  });

  it('DNATs to endpoints with equal odds, matches node ports, rejects empty services and guards the range', () => {
    const rules = renderRules(map, { prefix: 'KT', serviceCIDR: '10.96.0.0/12', masqueradeMark: '0x4000' });
    const nat = rules.nat.join('\n');
    expect(nat).toMatch(/-A KT-SERVICES .*-d 10\.96\.1\.1\/32 -p tcp -m tcp --dport 80 -j KT-SVC-/);
    expect(nat).toMatch(/-A KT-NODEPORTS .*--dport 30080 -j KT-SVC-/);
    expect(nat).toMatch(/--probability 0\.5000000000 -j KT-SEP-/);
    expect(nat).toMatch(/-j DNAT --to-destination 172\.18\.0\.2:8080/);
    expect(nat).toMatch(/-m recent --name KT-SEP-\S+ --rcheck --seconds 10800 --reap/);
    expect(nat).not.toContain('172.18.0.4');
    const filter = rules.filter.join('\n');
    expect(filter).toMatch(/-d 10\.96\.1\.2\/32 -p tcp -m tcp --dport 81 -j REJECT/);
    expect(rules.filter.find((r) => r.includes('-d 10.96.0.0/12 -j REJECT'))).toBeDefined();
    expect(rules.chains.nat.every((c) => c.length <= 28)).toBe(true);
  });

  it('declares its chains and deletes stale ones in one restore', () => {
    const text = restoreInput('nat', ['KT-SERVICES'], ['-A KT-SERVICES -j RETURN'], ['KT-SVC-OLD']);
    expect(text).toBe('*nat\n:KT-SERVICES - [0:0]\n:KT-SVC-OLD - [0:0]\n-A KT-SERVICES -j RETURN\n-X KT-SVC-OLD\nCOMMIT\n');
  });

  describe('Local traffic policies', () => {
    const local: Service[] = [
      { metadata: { name: 'lb', namespace: 'default' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.2.1', externalTrafficPolicy: 'Local', healthCheckNodePort: 31111, ports: [{ port: 80, protocol: 'TCP', nodePort: 30081 }] } },
      { metadata: { name: 'in', namespace: 'default' }, spec: { clusterIP: '10.96.2.2', internalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP' }] } },
    ];
    const slice = (svc: string, eps: Array<[string, string]>): EndpointSlice => ({
      addressType: 'IPv4',
      metadata: { name: svc, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
      endpoints: eps.map(([ip, nodeName]) => ({ addresses: [ip], nodeName, conditions: { ready: true } })),
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    const render = (onNodes: Array<[string, string]>, localNodes: string[]) => {
      const ports = buildServiceMap(local, [slice('lb', onNodes), slice('in', onNodes)], new Set(localNodes));
      return { ports, ...renderRules(ports, { prefix: 'KT', serviceCIDR: '10.96.0.0/12', masqueradeMark: '0x4000' }) };
    };
    const chainOf = (nat: string[], from: RegExp) => /-j (KT-\w+-\w+)$/.exec(nat.find((r) => from.test(r)) ?? '')?.[1];
    const rulesOf = (nat: string[], chain: string | undefined) => nat.filter((r) => r.startsWith(`-A ${chain} `));

    it('sends node port traffic from elsewhere to local endpoints unmasqueraded, and this host\'s to all', () => {
      const { ports, nat } = render([['172.18.0.2', 'n1'], ['172.18.0.3', 'n2']], ['n1']);
      expect(ports.find((p) => p.name === 'lb')).toMatchObject({ externalLocal: true, healthCheckNodePort: 31111, localEndpoints: [{ ip: '172.18.0.2', port: 8080, nodeName: 'n1' }] });
      const ext = chainOf(nat, /KT-NODEPORTS .*--dport 30081/);
      expect(ext).toMatch(/^KT-EXT-/);
      const [fromHost, toLocal] = rulesOf(nat, ext);
      expect(fromHost).toMatch(/--src-type LOCAL -j KT-SVC-/);
      const svl = /-j (\S+)$/.exec(toLocal!)![1]!;
      expect(svl).toMatch(/^KT-SVL-/);
      const svlRules = rulesOf(nat, svl);
      expect(svlRules.join('\n')).not.toContain('MARK-MASQ');
      expect(svlRules).toHaveLength(1); // one local endpoint: no odds to draw
      const sep = /-j (\S+)$/.exec(svlRules[0]!)![1]!;
      expect(rulesOf(nat, sep).join('\n')).toContain('--to-destination 172.18.0.2:8080');
      // The cluster IP still reaches every endpoint, masqueraded.
      const svc = chainOf(nat, /-d 10\.96\.2\.1\/32/);
      expect(rulesOf(nat, svc)[0]).toContain('-j KT-MARK-MASQ');
      expect(rulesOf(nat, svc).join('\n')).toMatch(/--probability 0\.5/);
    });

    it('sends an internal Local cluster IP to local endpoints only', () => {
      const { nat } = render([['172.18.0.2', 'n1'], ['172.18.0.3', 'n2']], ['n2']);
      const rules = nat.filter((r) => r.includes('-d 10.96.2.2/32'));
      expect(rules[0]).toMatch(/-j KT-MARK-MASQ$/);
      const svl = /-j (\S+)$/.exec(rules[1]!)![1]!;
      expect(svl).toMatch(/^KT-SVL-/);
      const sep = /-j (\S+)$/.exec(rulesOf(nat, svl)[0]!)![1]!;
      expect(rulesOf(nat, sep).join('\n')).toContain('--to-destination 172.18.0.3:8080');
    });

    it('drops what has no local endpoint to go to, except this host\'s node port traffic', () => {
      const { nat, filter } = render([['172.18.0.3', 'n2']], ['n1']);
      expect(filter).toContainEqual(expect.stringMatching(/has no local endpoints.* -m addrtype ! --src-type LOCAL --dst-type LOCAL -p tcp -m tcp --dport 30081 -j DROP$/));
      expect(filter).toContainEqual(expect.stringMatching(/has no local endpoints.* -d 10\.96\.2\.2\/32 -p tcp -m tcp --dport 80 -j DROP$/));
      expect(nat.some((r) => r.includes('-d 10.96.2.2/32'))).toBe(false);
      const ext = chainOf(nat, /KT-NODEPORTS .*--dport 30081/);
      expect(rulesOf(nat, ext)).toEqual([expect.stringMatching(/--src-type LOCAL -j KT-SVC-/)]);
    });
  });

  it('falls back to endpoints serving while they terminate only when none is ready, locally too', () => {
    const svc: Service[] = [{ metadata: { name: 'drain', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.3.1', externalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP', nodePort: 30090 }] } }];
    const slice = (eps: Array<[string, string, { ready?: boolean; serving?: boolean; terminating?: boolean }]>): EndpointSlice[] => [{
      addressType: 'IPv4',
      metadata: { name: 'drain', namespace: 'default', labels: { 'kubernetes.io/service-name': 'drain' } },
      endpoints: eps.map(([ip, nodeName, conditions]) => ({ addresses: [ip], nodeName, conditions })),
      ports: [{ port: 8080, protocol: 'TCP' }],
    }];
    const ips = (list: Array<{ ip: string }>) => list.map((e) => e.ip);
    const gone = { ready: false, serving: false, terminating: true };
    const draining = { ready: false, serving: true, terminating: true };
    // One ready (remote), one draining (local): the cluster uses the ready one, the local choice the draining one.
    const [mixed] = buildServiceMap(svc, slice([['172.18.0.2', 'far', { ready: true }], ['172.18.0.3', 'n1', draining], ['172.18.0.4', 'n1', gone]]), new Set(['n1']));
    expect(ips(mixed!.endpoints)).toEqual(['172.18.0.2']);
    expect(ips(mixed!.localEndpoints)).toEqual(['172.18.0.3']);
    const nat = renderRules([mixed!], { prefix: 'KT', serviceCIDR: '10.96.0.0/12', masqueradeMark: '0x4000' }).nat.join('\n');
    expect(nat).toContain('--to-destination 172.18.0.3:8080'); // its SEP chain exists for the local choice
    expect(nat).not.toContain('172.18.0.4');
    // Nothing ready anywhere: the draining endpoint serves everyone.
    const [drained] = buildServiceMap(svc, slice([['172.18.0.3', 'n1', draining], ['172.18.0.4', 'n1', gone]]), new Set(['n1']));
    expect(ips(drained!.endpoints)).toEqual(['172.18.0.3']);
    // A node whose only endpoints terminate fails its health check (kube-proxy counts ready ones).
    const withCheck = { ...mixed!, healthCheckNodePort: 31000 };
    expect(healthChecks([withCheck]).get(31000)?.localEndpoints).toBe(0);
  });
});

