import { Agent, request } from 'node:https';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
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

  it('closes a connection accepted before the client CA was published once it has answered, though its handshake ended after', async () => {
    const ca = await createCA('test-ca');
    const admin = await issue(ca, { commonName: 'root', organizations: ['system:masters'] }, { usages: ['client'] });
    let publish!: (cm: unknown) => void;
    const published = new Promise((resolve) => (publish = resolve));
    let asked = 0;
    const apiserver: ApiserverRequests = { request: async <T>() => (asked++, (await published) as T) };
    const port = await freePort();
    const server = (await serveSecurely({
      flags: { ...flags(), 'secure-port': port },
      name: 'test',
      apiserver: { clientCA: apiserver, authentication: apiserver, authorization: apiserver },
      endpoints: { checks: () => [], metrics: () => ['m 1'] },
      log: pino({ level: 'silent' }),
    }))!;
    servers.push(server);
    // TCP first: the server gives the connection its TLS context (no CA) now...
    const accepted = new Promise((r) => server.server.once('connection', r));
    const raw = connect(port, '127.0.0.1');
    await accepted;
    // ...the CA is published and taken...
    publish({ data: { 'client-ca-file': ca.certPem } });
    while (asked < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    // ...and only then the handshake: the certificate was checked without the CA.
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const tls = tlsConnect({ socket: raw, cert: admin.certPem, key: admin.keyPem, rejectUnauthorized: false });
      let text = '';
      tls.setEncoding('utf8');
      tls.on('data', (d: string) => {
        text += d;
        const head = text.split('\r\n\r\n')[0]!;
        if (head === text) return;
        const status = Number(head.split(' ')[1]);
        const connection = /^connection: *(.*)$/im.exec(head)?.[1];
        tls.destroy();
        resolve({ status, connection });
      });
      tls.on('error', reject);
      tls.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
    // Refused as TLS judged it, and closed so that the client's next connection is judged with the CA.
    expect(answer).toEqual({ status: 401, connection: 'close' });
    const agent = new Agent({ keepAlive: true });
    expect(await get(port, '/metrics', agent, admin)).toBe(200);
    agent.destroy();
  });

  it('closes at once though a client has connected and never begun its handshake', async () => {
    const apiserver: ApiserverRequests = { request: () => new Promise(() => {}) };
    const port = await freePort();
    const server = (await serveSecurely({
      flags: { ...flags(), 'secure-port': port },
      name: 'test',
      apiserver: { clientCA: apiserver, authentication: apiserver, authorization: apiserver },
      endpoints: { checks: () => [], metrics: () => [] },
      log: pino({ level: 'silent' }),
    }))!;
    const accepted = new Promise((r) => server.server.once('connection', r));
    const silent = connect(port, '127.0.0.1');
    silent.on('error', () => {});
    await accepted;
    const closedByServer = new Promise((r) => silent.once('close', r));
    // Without the server letting go, this would wait for the two-minute handshake timeout.
    await server.close();
    await closedByServer;
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
