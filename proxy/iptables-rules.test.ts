import { describe, expect, it } from 'vitest';
import { renderRules, restoreInput } from './iptables-rules.js';
import type { Service } from '../api/types/core.js';
import type { EndpointSlice } from '../api/types/discovery.js';
import { buildServiceMap } from './service-map.js';

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
});
