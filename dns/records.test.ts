import { describe, expect, it } from 'vitest';
import type { Service, ServiceSpec } from '../api/types/core.js';
import type { EndpointSlice, EndpointSlicePort } from '../api/types/discovery.js';
import { resolveName, type Catalog } from './records.js';

const svc = (name: string, spec: ServiceSpec, ns = 'default'): Service => ({ metadata: { name, namespace: ns }, spec });
const slice = (service: string, ips: Array<[string, boolean]>, ports: EndpointSlicePort[]): EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  endpoints: ips.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  ports,
});
const catalog: Catalog = {
  services: [
    svc('web', { clusterIP: '10.96.5.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.org' }),
  ],
  slices: [slice('db', [['172.18.0.7', true], ['172.18.0.8', false]], [{ name: 'pg', port: 5432, protocol: 'TCP' }])],
};
const ask = (name: string, type = 'A') => resolveName(name, type, catalog, 'cluster.local');

describe('cluster DNS records', () => {
  it('answers A for services: the cluster IP, or the ready endpoints of a headless one', () => {
    expect(ask('web.default.svc.cluster.local')).toEqual({ kind: 'answer', answers: [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, data: '10.96.5.5' }] });
    expect(ask('db.default.svc.cluster.local')).toEqual({ kind: 'answer', answers: [{ type: 'A', name: 'db.default.svc.cluster.local', ttl: 5, data: '172.18.0.7' }] });
    expect(ask('WEB.default.svc.cluster.local.').kind).toBe('answer');
    expect(ask('web.default.svc.cluster.local', 'AAAA')).toEqual({ kind: 'answer', answers: [] });
  });

  it('answers SRV for named ports, CNAME for ExternalName, pod A records and PTR', () => {
    expect(ask('_http._tcp.web.default.svc.cluster.local', 'SRV')).toMatchObject({ answers: [{ type: 'SRV', data: { port: 80, target: 'web.default.svc.cluster.local' } }] });
    expect(ask('_pg._tcp.db.default.svc.cluster.local', 'SRV')).toMatchObject({ answers: [{ data: { port: 5432, target: '172-18-0-7.db.default.svc.cluster.local' } }] });
    expect(ask('ext.default.svc.cluster.local')).toMatchObject({ answers: [{ type: 'CNAME', data: 'example.org' }] });
    expect(ask('172-18-0-9.default.pod.cluster.local')).toMatchObject({ answers: [{ type: 'A', data: '172.18.0.9' }] });
    expect(ask('5.5.96.10.in-addr.arpa', 'PTR')).toMatchObject({ answers: [{ type: 'PTR', data: 'web.default.svc.cluster.local' }] });
  });

  it('says NXDOMAIN for unknown names in the cluster domain, and leaves other names to upstream', () => {
    expect(ask('nope.default.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(ask('_nope._tcp.web.default.svc.cluster.local', 'SRV')).toEqual({ kind: 'nxdomain' });
    expect(ask('example.org')).toEqual({ kind: 'forward' });
    expect(ask('1.1.168.192.in-addr.arpa', 'PTR')).toEqual({ kind: 'forward' });
  });
});

describe('stable names of headless endpoints with a hostname (StatefulSet pods)', () => {
  const named: Catalog = {
    services: [svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })],
    slices: [
      {
        addressType: 'IPv4',
        metadata: { name: 'db-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'db' } },
        endpoints: [{ addresses: ['172.18.0.7'], hostname: 'db-0', conditions: { ready: true } }, { addresses: ['172.18.0.8'], hostname: 'db-1', conditions: { ready: false } }],
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      },
    ],
  };
  const q = (name: string, type = 'A') => resolveName(name, type, named, 'cluster.local');
  it('answers <hostname>.<svc>.<ns>.svc for ready endpoints, names SRV targets and PTRs by hostname', () => {
    expect(q('db-0.db.default.svc.cluster.local')).toEqual({ kind: 'answer', answers: [{ type: 'A', name: 'db-0.db.default.svc.cluster.local', ttl: 5, data: '172.18.0.7' }] });
    expect(q('db-1.db.default.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(q('_pg._tcp.db.default.svc.cluster.local', 'SRV')).toMatchObject({ answers: [{ data: { target: 'db-0.db.default.svc.cluster.local' } }] });
    expect(q('7.0.18.172.in-addr.arpa', 'PTR')).toMatchObject({ answers: [{ data: 'db-0.db.default.svc.cluster.local' }] });
  });
});
