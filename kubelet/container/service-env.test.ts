import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { serviceEnv } from './service-env.js';

const svc = (name: string, ns: string, spec: Record<string, unknown>) => ({ metadata: { name, namespace: ns }, spec });
const services = [
  svc('kubernetes', 'default', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
  svc('my-web', 'shop', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
  svc('headless', 'shop', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('other', 'elsewhere', { clusterIP: '10.96.0.30', ports: [{ port: 80 }] }),
];
const pod = (links?: boolean): Pod => ({ metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...(links === undefined ? {} : { enableServiceLinks: links }) } });

describe('service environment variables', () => {
  it('gives the kubernetes Service always, and the namespace\'s Services with enableServiceLinks', () => {
    const env = Object.fromEntries(serviceEnv(pod(), services));
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
      MY_WEB_SERVICE_HOST: '10.96.0.20',
      MY_WEB_PORT_80_TCP: 'tcp://10.96.0.20:80',
      MY_WEB_PORT_80_TCP_PROTO: 'tcp',
    });
    expect(Object.keys(env).some((k) => k.startsWith('HEADLESS_') || k.startsWith('OTHER_'))).toBe(false);
    const noLinks = Object.keys(Object.fromEntries(serviceEnv(pod(false), services)));
    expect(noLinks.every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
  });
});
