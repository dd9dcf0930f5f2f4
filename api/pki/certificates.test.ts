// The PKI against Node's own X.509 and TLS: certificates made here verify against the CA,
// carry the names and usages asked for, and complete a real mutual-TLS handshake.
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { certificateUser, createCA, createCSR, issue, parseCSR, signCSR } from './certificates.js';

describe('PKI', () => {
  it('issues server and client certificates that verify against the CA, with the names and usages asked for', async () => {
    const ca = await createCA('kubette-ca');
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    const server = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], dnsNames: ['kubernetes', 'kubernetes.default.svc'], ipAddresses: ['127.0.0.1', '10.96.0.1'] });
    const cert = new X509Certificate(server.certPem);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(cert.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.ca).toBe(false);

    const admin = await issue(ca, { commonName: 'admin', organizations: ['system:masters', 'a,b'] }, { usages: ['client'] });
    expect(certificateUser(admin.certPem)).toEqual({ name: 'admin', groups: ['system:masters', 'a,b'] });
    expect(new X509Certificate(admin.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('completes a mutual TLS handshake with Node: the server sees the client certificate verified', async () => {
    const ca = await createCA('kubette-ca');
    const server = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
    const client = await issue(ca, { commonName: 'jane', organizations: ['dev'] }, { usages: ['client'] });
    const tls = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (s: TLSSocket) => {
      s.end(JSON.stringify({ authorized: s.authorized, cn: s.getPeerCertificate().subject?.CN }));
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const port = (tls.address() as { port: number }).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem }, () => undefined);
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    tls.close();
    expect(JSON.parse(answer)).toEqual({ authorized: true, cn: 'jane' });
  });

  it('makes a kubelet-style CSR, reads it back, and signs it for the request key', async () => {
    const ca = await createCA('kubette-ca');
    const { csrPem, keyPem } = await createCSR({ commonName: 'system:node:node-1', organizations: ['system:nodes'] });
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(await parseCSR(csrPem)).toEqual({ commonName: 'system:node:node-1', organizations: ['system:nodes'], dnsNames: [], ipAddresses: [], signatureValid: true });
    const certPem = await signCSR(ca, csrPem, { usages: ['client'], days: 365 });
    const cert = new X509Certificate(certPem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=system:node:node-1\nO=system:nodes');
    // The certificate is for the requester's key: it pairs with the key the kubelet kept.
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem))).toBe(true);
    await expect(parseCSR('-----BEGIN CERTIFICATE REQUEST-----\nnotbase64\n-----END CERTIFICATE REQUEST-----')).rejects.toThrow();
  });
});
