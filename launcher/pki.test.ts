import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCA, issue } from '../api/pki/certificates.js';
import { ensureClusterPKI } from './pki.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubette-pki-'));
  dirs.push(d);
  return d;
};
const opts = { server: 'https://127.0.0.1:6443', ips: ['10.96.0.1'], names: [] };
const cert = (file: string) => new X509Certificate(readFileSync(file));

describe('cluster PKI', () => {
  it('makes everything once, with etcd on a CA of its own, and keeps it across starts', async () => {
    const dir = fresh();
    const first = await ensureClusterPKI(dir, opts);
    const ca = cert(first.caCert);
    const etcdCA = cert(first.etcd.ca);
    expect(cert(first.apiserverCert).verify(ca.publicKey)).toBe(true);
    expect(cert(first.apiserverCert).subjectAltName).toContain('IP Address:10.96.0.1');
    expect(cert(first.kubeletClientCert).verify(ca.publicKey)).toBe(true);
    // A cluster certificate does not open etcd: the etcd client certificate is the etcd CA's.
    expect(cert(first.etcd.clientCert).verify(etcdCA.publicKey)).toBe(true);
    expect(cert(first.etcd.clientCert).verify(ca.publicKey)).toBe(false);
    expect(readFileSync(first.tokenFile, 'utf8')).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16},kubelet-bootstrap,10001,"system:bootstrappers"\n$/);
    const again = await ensureClusterPKI(dir, opts);
    expect(readFileSync(again.caCert, 'utf8')).toBe(readFileSync(first.caCert, 'utf8'));
    expect(readFileSync(again.tokenFile, 'utf8')).toBe(readFileSync(first.tokenFile, 'utf8'));
  });

  it("keeps certificates a user brought (the seeds' cfssl files, renamed) and issues the rest from their CA", async () => {
    const dir = fresh();
    const theirs = await createCA('their-ca');
    const server = await issue(theirs, { commonName: 'kubernetes' }, { usages: ['server'], ipAddresses: ['127.0.0.1', '10.96.0.1'] });
    mkdirSync(join(dir, 'pki'), { recursive: true });
    writeFileSync(join(dir, 'pki', 'ca.crt'), theirs.certPem);
    writeFileSync(join(dir, 'pki', 'ca.key'), theirs.keyPem);
    writeFileSync(join(dir, 'pki', 'apiserver.crt'), server.certPem);
    writeFileSync(join(dir, 'pki', 'apiserver.key'), server.keyPem);
    const pki = await ensureClusterPKI(dir, opts);
    expect(readFileSync(pki.apiserverCert, 'utf8')).toBe(server.certPem);
    const ca = new X509Certificate(theirs.certPem);
    expect(cert(join(dir, 'pki', 'admin.crt')).verify(ca.publicKey)).toBe(true);
    expect(cert(join(dir, 'pki', 'scheduler.crt')).subject).toContain('CN=system:kube-scheduler');
  });
});
