import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { loadServingCertificate, storeServingCertificate } from './serving-certificate.js';

describe('the kubelet serving certificate kept in --cert-dir', () => {
  it('is read back after a store, and only the newest pair is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serving-'));
    const ca = await createCA('test-ca');
    const a = await issue(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'] }, { usages: ['server'], dnsNames: ['n1'] });
    const b = await issue(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'] }, { usages: ['server'], dnsNames: ['n1'] });
    expect(loadServingCertificate(dir)).toBeUndefined();
    storeServingCertificate(dir, a);
    expect(loadServingCertificate(dir)).toMatchObject({ certPem: a.certPem, keyPem: a.keyPem });
    storeServingCertificate(dir, b);
    expect(loadServingCertificate(dir)).toMatchObject({ certPem: b.certPem, keyPem: b.keyPem });
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^kubelet-server-\d+-\w+\.pem$/), 'kubelet-server-current.pem']);
  });

  it('is not served when expired, when its key belongs to another certificate, or when it is not PEM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serving-'));
    const ca = await createCA('test-ca');
    const good = await issue(ca, { commonName: 'system:node:n1' }, { usages: ['server'], dnsNames: ['n1'] });
    const other = await issue(ca, { commonName: 'system:node:n1' }, { usages: ['server'], dnsNames: ['n1'] });
    const expired = await issue(ca, { commonName: 'system:node:n1' }, { usages: ['server'], dnsNames: ['n1'], notBefore: new Date(Date.now() - 7_200_000), days: 1 / 24 });
    storeServingCertificate(dir, { certPem: good.certPem, keyPem: other.keyPem });
    expect(loadServingCertificate(dir)).toBeUndefined();
    storeServingCertificate(dir, expired);
    expect(loadServingCertificate(dir)).toBeUndefined();
    writeFileSync(join(dir, 'kubelet-server-current.pem'), 'not a certificate');
    expect(loadServingCertificate(dir)).toBeUndefined();
  });
});
