// The PKI against Node's own X.509 and TLS and against OpenSSL: certificates made here verify
// against the CA, carry the names and usages asked for, and complete a real mutual-TLS
// handshake; requests OpenSSL makes (RSA, P-384 and Ed25519 keys, every kind of name) read
// back right, and a CA OpenSSL made (RSA, as kubeadm's) signs; malformed requests only ever throw.
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateUser, createCA, createCSR, issue, parseCSR, readCSR, signCSR } from './certificates.js';
import { DERError } from './der.js';

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
    expect(await parseCSR(csrPem)).toEqual({ commonName: 'system:node:node-1', organizations: ['system:nodes'], dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], signatureValid: true });
    const certPem = await signCSR(ca, csrPem, { usages: ['client'], days: 365 });
    const cert = new X509Certificate(certPem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=system:node:node-1\nO=system:nodes');
    // The certificate is for the requester's key: it pairs with the key the kubelet kept.
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem))).toBe(true);
    await expect(parseCSR('-----BEGIN CERTIFICATE REQUEST-----\nnotbase64\n-----END CERTIFICATE REQUEST-----')).rejects.toThrow();
  });

  describe('against OpenSSL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubette-pki-'));
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies the chain, the request signature and every extension as written', async () => {
      const ca = await createCA('kubette-ca');
      const server = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server', 'client'], dnsNames: ['kubernetes.default.svc'], ipAddresses: ['10.96.0.1', 'fd00::1'] });
      const caPath = file('ca.pem', ca.certPem);
      const serverPath = file('server.pem', server.certPem);
      expect(openssl('verify', '-CAfile', caPath, serverPath).trim()).toBe(`${serverPath}: OK`);
      const text = openssl('x509', '-in', serverPath, '-noout', '-text');
      expect(text).toMatch(/Version: 3 \(0x2\)/);
      expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
      expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/);
      expect(text).toMatch(/X509v3 Subject Alternative Name:\s+DNS:kubernetes.default.svc, IP Address:10.96.0.1, IP Address:FD00:0:0:0:0:0:0:1/);
      const caText = openssl('x509', '-in', caPath, '-noout', '-text');
      expect(caText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
      expect(caText).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      const ski = /X509v3 Subject Key Identifier:\s+([0-9A-F:]+)/.exec(caText)?.[1];
      expect(ski).toBeDefined();
      expect(/X509v3 Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1]).toBe(ski);

      const { csrPem } = await createCSR({ commonName: 'system:node:n1', organizations: ['system:nodes'] });
      const csrPath = file('csr.pem', csrPem);
      const verified = spawnSync('openssl', ['req', '-in', csrPath, '-noout', '-verify'], { encoding: 'utf8' });
      expect(verified.status).toBe(0);
      expect(verified.stdout + verified.stderr).toMatch(/verify OK/);
      expect(openssl('req', '-in', csrPath, '-noout', '-subject').trim()).toBe('subject=CN = system:node:n1, O = system:nodes');
      const signedPath = file('signed.pem', await signCSR(ca, csrPem, { usages: ['client'] }));
      expect(openssl('verify', '-CAfile', caPath, signedPath).trim()).toBe(`${signedPath}: OK`);
    });

    it('makes a serving request with DNS and IP names that OpenSSL reads and verifies', async () => {
      const { csrPem } = await createCSR({ commonName: 'system:node:n5', organizations: ['system:nodes'] }, { dnsNames: ['n5'], ipAddresses: ['10.0.0.5', '2001:db8::5'] });
      expect(await parseCSR(csrPem)).toEqual({ commonName: 'system:node:n5', organizations: ['system:nodes'], dnsNames: ['n5'], ipAddresses: ['10.0.0.5', '2001:db8::5'], emailAddresses: [], uris: [], signatureValid: true });
      const csrPath = file('serving-csr.pem', csrPem);
      const text = openssl('req', '-in', csrPath, '-noout', '-text', '-verify');
      expect(text).toMatch(/X509v3 Subject Alternative Name:\s+DNS:n5, IP Address:10\.0\.0\.5, IP Address:2001:DB8:0:0:0:0:0:5/);
    });

    it.each([
      ['RSA 2048', ['-newkey', 'rsa:2048']],
      ['ECDSA P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']],
      ['Ed25519', ['-newkey', 'ed25519']],
    ])('reads a request OpenSSL made with an %s key, with every kind of name, and signs it', async (_what, keyArgs) => {
      const csrPath = join(dir, 'openssl-csr.pem');
      openssl('req', '-new', ...keyArgs, '-nodes', '-keyout', join(dir, 'openssl.key'), '-out', csrPath, '-subj', '/O=system:nodes/O=a\\+b/CN=system:node:n2',
        '-addext', 'subjectAltName=DNS:n2.example,IP:10.0.0.7,IP:2001:db8::7,email:n2@example.com,URI:spiffe://cluster/n2');
      const csrPem = readFileSync(csrPath, 'utf8');
      expect(await parseCSR(csrPem)).toEqual({
        commonName: 'system:node:n2',
        organizations: ['system:nodes', 'a+b'],
        dnsNames: ['n2.example'],
        ipAddresses: ['10.0.0.7', '2001:db8::7'],
        emailAddresses: ['n2@example.com'],
        uris: ['spiffe://cluster/n2'],
        signatureValid: true,
      });
      // One bit of the subject changed: the signature no longer covers it.
      const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
      const at = der.indexOf(Buffer.from('system:node:n2'));
      der[at + 13] ^= 1;
      const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      expect(await parseCSR(tampered)).toMatchObject({ commonName: 'system:node:n3', signatureValid: false });

      const ca = await createCA('kubette-ca');
      const certPem = await signCSR(ca, csrPem, { usages: ['client'] });
      expect(openssl('verify', '-CAfile', file('ca2.pem', ca.certPem), file('n2.pem', certPem)).trim()).toMatch(/: OK$/);
      // For the request's own key, whatever its type.
      expect(new X509Certificate(certPem).checkPrivateKey((await import('node:crypto')).createPrivateKey(readFileSync(join(dir, 'openssl.key'))))).toBe(true);
    });

    it('issues and signs with an RSA CA OpenSSL made, as kubeadm makes them', async () => {
      const keyPath = join(dir, 'rsa-ca.key');
      const certPath = join(dir, 'rsa-ca.pem');
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '30', '-subj', '/CN=kubernetes',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature');
      const ca = { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
      const client = await issue(ca, { commonName: 'jane', organizations: ['dev'] }, { usages: ['client'] });
      const clientPath = file('rsa-client.pem', client.certPem);
      expect(openssl('verify', '-CAfile', certPath, clientPath).trim()).toBe(`${clientPath}: OK`);
      expect(openssl('x509', '-in', clientPath, '-noout', '-text')).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
      expect(new X509Certificate(client.certPem).checkIssued(new X509Certificate(ca.certPem))).toBe(true);
      const { csrPem } = await createCSR({ commonName: 'system:node:n4', organizations: ['system:nodes'] });
      const signedPath = file('rsa-signed.pem', await signCSR(ca, csrPem, { usages: ['client'] }));
      expect(openssl('verify', '-CAfile', certPath, signedPath).trim()).toBe(`${signedPath}: OK`);
    });
  });

  it('only ever throws DERError on a malformed request: every truncation and every flipped byte of a real one', async () => {
    const { csrPem } = await createCSR({ commonName: 'system:node:fuzz', organizations: ['system:nodes'] });
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    const wrap = (b: Buffer) => `-----BEGIN CERTIFICATE REQUEST-----\n${b.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const attempt = async (b: Buffer) => {
      try {
        await parseCSR(wrap(b));
      } catch (err) {
        expect(err).toBeInstanceOf(DERError);
      }
    };
    for (let n = 0; n < der.length; n++) await attempt(der.subarray(0, n));
    for (let i = 0; i < der.length; i++) {
      for (const bits of [0x01, 0x80, 0xff]) {
        const b = Buffer.from(der);
        b[i] ^= bits;
        await attempt(b);
      }
    }
    expect(() => readCSR('not pem')).toThrow(DERError);
  });
});
