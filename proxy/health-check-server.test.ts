import { describe, expect, it } from 'vitest';
import { answer, healthChecks } from './health-check-server.js';
import type { ServicePort } from './service-map.js';

const port = (portName: string, local: string[], healthCheckNodePort?: number): ServicePort => ({
  key: `default/lb:${portName}`,
  namespace: 'default',
  name: 'lb',
  portName,
  protocol: 'TCP',
  port: 80,
  endpoints: local.map((ip) => ({ ip, port: 8080 })),
  localEndpoints: local.map((ip) => ({ ip, port: 8080, nodeName: 'n1' })),
  internalLocal: false,
  externalLocal: true,
  healthCheckNodePort,
});

describe('health check node ports', () => {
  it('count each local endpoint once across the Service\'s ports', () => {
    const checks = healthChecks([port('http', ['172.18.0.2', '172.18.0.3'], 31000), port('https', ['172.18.0.2'], 31000), port('x', ['172.18.0.9'])]);
    expect([...checks]).toEqual([[31000, { namespace: 'default', name: 'lb', localEndpoints: 2 }]]);
  });

  it('answer 200 with local endpoints and 503 without, as kube-proxy does', () => {
    const ok = answer({ namespace: 'default', name: 'lb', localEndpoints: 2 }, true);
    expect(ok.code).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ service: { namespace: 'default', name: 'lb' }, localEndpoints: 2, serviceProxyHealthy: true });
    expect(ok.headers['x-load-balancing-endpoint-weight']).toBe('2');
    expect(answer({ namespace: 'default', name: 'lb', localEndpoints: 0 }, true).code).toBe(503);
    expect(answer({ namespace: 'default', name: 'lb', localEndpoints: 1 }, false).code).toBe(503);
  });
});
