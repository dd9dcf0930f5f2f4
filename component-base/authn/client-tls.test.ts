// The client certificate of a real TLS connection: read once per TLS 1.3 connection, refused
// once it has expired even though the connection was made while it was valid, absent when the
// client sent none.
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { clientTLS } from './client-tls.js';

async function serverSocket(withClientCert: boolean): Promise<{ socket: TLSSocket; close(): void }> {
  const ca = await createCA('ca');
  const server = await issue(ca, { commonName: 'server' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
  const client = await issue(ca, { commonName: 'jane', organizations: ['dev'] }, { usages: ['client'], days: 1 });
  const tls = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  tls.listen(0, '127.0.0.1');
  await once(tls, 'listening');
  const accepted = once(tls, 'secureConnection');
  const c = connect({ host: '127.0.0.1', port: (tls.address() as { port: number }).port, ca: ca.certPem, ...(withClientCert ? { cert: client.certPem, key: client.keyPem } : {}) });
  c.on('error', () => undefined);
  const [socket] = (await accepted) as [TLSSocket];
  return {
    socket,
    close: () => {
      c.destroy();
      tls.close();
    },
  };
}

describe('clientTLS', () => {
  it('reads the certificate of a TLS 1.3 connection once, for every request on it', async () => {
    const { socket, close } = await serverSocket(true);
    let reads = 0;
    const read = socket.getPeerCertificate.bind(socket);
    socket.getPeerCertificate = ((detailed?: boolean) => {
      reads++;
      return read(detailed as true);
    }) as TLSSocket['getPeerCertificate'];
    const first = clientTLS(socket);
    const second = clientTLS(socket);
    close();
    expect(first.authorized).toBe(true);
    expect(first.peer?.subject?.CN).toBe('jane');
    expect(second.peer).toBe(first.peer);
    expect(reads).toBe(1);
  });

  it('refuses a certificate that expired after its connection was made', async () => {
    const { socket, close } = await serverSocket(true);
    const now = clientTLS(socket);
    const in2Days = clientTLS(socket, Date.now() + 2 * 24 * 3600 * 1000);
    close();
    expect(now.authorized).toBe(true);
    expect(in2Days).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
  });

  it('has no certificate for a client that sent none', async () => {
    const { socket, close } = await serverSocket(false);
    const tls = clientTLS(socket);
    close();
    expect(tls.authorized).toBe(false);
    expect(Object.keys(tls.peer ?? {})).toEqual([]);
  });
});
