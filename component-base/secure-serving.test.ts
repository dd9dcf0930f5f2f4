import { Agent, request } from 'node:https';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createCA, issue, type Issued } from '../api/pki/certificates.js';
import type { ApiserverRequests } from './apiserver-requests.js';
import { freePort } from './free-port.js';
import { secureServingFlags, serveSecurely, type SecureServer } from './secure-serving.js';

const servers: SecureServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** The flag table's defaults, on loopback. */
function flags(): Parameters<typeof serveSecurely>[0]['flags'] {
  const values = Object.fromEntries(Object.entries(secureServingFlags(0)).map(([k, spec]) => [k, 'default' in spec ? spec.default : undefined]));
  return { ...values, 'bind-address': '127.0.0.1' } as Parameters<typeof serveSecurely>[0]['flags'];
}

function get(port: number, path: string, agent: Agent, client: Issued): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, cert: client.certPem, key: client.keyPem, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

describe("a component's secure port", () => {
  it('takes a client certificate on a kept-alive connection once the client CA it was made before is published', async () => {
    const ca = await createCA('test-ca');
    const admin = await issue(ca, { commonName: 'root', organizations: ['system:masters'] }, { usages: ['client'] });
    let publish!: (cm: unknown) => void;
    const published = new Promise((resolve) => (publish = resolve));
    const apiserver: ApiserverRequests = { request: async <T>() => (await published) as T };
    const port = await freePort();
    const server = await serveSecurely({
      flags: { ...flags(), 'secure-port': port },
      name: 'test',
      apiserver: { clientCA: apiserver, authentication: apiserver, authorization: apiserver },
      endpoints: { checks: () => [], metrics: () => ['m 1'] },
      log: pino({ level: 'silent' }),
    });
    servers.push(server!);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // No CA yet: the certificate cannot be checked, and a credential that fails is 401.
    expect(await get(port, '/metrics', agent, admin)).toBe(401);
    publish({ data: { 'client-ca-file': ca.certPem } });
    await new Promise((r) => setTimeout(r, 50));
    expect(await get(port, '/metrics', agent, admin)).toBe(200);
    agent.destroy();
  });

  it('keeps serving, and refuses client certificates, when the published client CA is not a certificate', async () => {
    const apiserver: ApiserverRequests = { request: async <T>() => ({ data: { 'client-ca-file': '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n' } }) as T };
    const port = await freePort();
    const server = await serveSecurely({
      flags: { ...flags(), 'secure-port': port },
      name: 'test',
      apiserver: { clientCA: apiserver, authentication: apiserver, authorization: apiserver },
      endpoints: { checks: () => [], metrics: () => [] },
      log: pino({ level: 'silent' }),
    });
    servers.push(server!);
    await new Promise((r) => setTimeout(r, 50));
    const agent = new Agent({ keepAlive: false });
    const anyone = await issue(await createCA('other'), { commonName: 'x' }, { usages: ['client'] });
    expect(await get(port, '/healthz', agent, anyone)).toBe(401);
    agent.destroy();
  });
});
