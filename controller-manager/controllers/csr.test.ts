// The CSR approver and signer against a recording fake client.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCA, createCSR } from '../../api/pki/certificates.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import { fakeWorld } from '../framework/fake-context.js';
import { CSRApprovingController } from './csr-approving.js';
import { CSRSigningController, KUBELET_CLIENT, KUBELET_SERVING, signerRuleViolation } from './csr-signing.js';

let rv = 0;
async function csr(name: string, subject: { commonName: string; organizations?: string[] }, extra: Partial<CertificateSigningRequest['spec']> = {}, approved = false): Promise<CertificateSigningRequest> {
  const { csrPem } = await createCSR(subject);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name, resourceVersion: String(++rv) },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: KUBELET_CLIENT, usages: ['digital signature', 'key encipherment', 'client auth'], username: 'kubelet-bootstrap', groups: ['system:bootstrappers', 'system:authenticated'], ...extra },
    ...(approved ? { status: { conditions: [{ type: 'Approved', status: 'True' as const, reason: 'Test' }] } } : {}),
  };
}

describe('CSR approving', () => {
  it('approves a kubelet client request when the requester may create nodeclient requests, and only then', async () => {
    const w = fakeWorld();
    const allowed = new Set(['kubelet-bootstrap']);
    w.client.answerCreates('subjectaccessreviews', (o) => ({ ...o, status: { allowed: allowed.has((o.spec as { user: string }).user) && (o.spec as { resourceAttributes: { subresource: string } }).resourceAttributes.subresource === 'nodeclient' } }));
    const c = new CSRApprovingController(w.ctx);
    w.seed('certificates.k8s.io/v1/certificatesigningrequests',
      await csr('boot', { commonName: 'system:node:n1', organizations: ['system:nodes'] }),
      await csr('stranger', { commonName: 'system:node:n1', organizations: ['system:nodes'] }, { username: 'jane', groups: ['system:authenticated'] }),
      await csr('not-a-node', { commonName: 'admin', organizations: ['system:masters'] }),
    );
    for (const n of ['boot', 'stranger', 'not-a-node']) await c.reconcile(n);
    const approvals = w.client.writes('certificatesigningrequests').filter((a) => a.subresource === 'approval');
    expect(approvals.map((a) => a.name)).toEqual(['boot']);
    expect((approvals[0]!.body as CertificateSigningRequest).status!.conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True', reason: 'AutoApproved' })]);
  });
});

describe('CSR signing', () => {
  it('issues approved requests from the cluster CA and fails those that break the signer rules', async () => {
    const w = fakeWorld();
    const ca = await createCA('kubette-ca');
    const c = new CSRSigningController(w.ctx, ca, 3600);
    w.seed('certificates.k8s.io/v1/certificatesigningrequests',
      await csr('good', { commonName: 'system:node:n1', organizations: ['system:nodes'] }, {}, true),
      await csr('masters', { commonName: 'system:node:n1', organizations: ['system:masters'] }, {}, true),
      await csr('pending', { commonName: 'system:node:n1', organizations: ['system:nodes'] }),
    );
    for (const n of ['good', 'masters', 'pending']) await c.reconcile(n);
    const writes = w.client.writes('certificatesigningrequests');
    expect(writes.map((a) => [a.name, a.subresource])).toEqual([['good', 'status'], ['masters', 'status']]);
    const cert = new X509Certificate(Buffer.from((writes[0]!.body as CertificateSigningRequest).status!.certificate!, 'base64'));
    expect(cert.subject).toBe('CN=system:node:n1\nO=system:nodes');
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    const left = Date.parse(cert.validTo) - Date.now();
    expect(left).toBeGreaterThan(3500_000);
    expect(left).toBeLessThanOrEqual(3600_000);
    expect((writes[1]!.body as CertificateSigningRequest).status!.conditions).toContainEqual(expect.objectContaining({ type: 'Failed', reason: 'SignerValidationFailure', message: 'subject organization must be exactly "system:nodes"' }));
  });
});

describe('signer rules', () => {
  const names = (over: Partial<Parameters<typeof signerRuleViolation>[1]> = {}) => ({ commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], ...over });
  const client = ['digital signature', 'client auth'];
  const serving = ['digital signature', 'server auth'];

  it('a kubelet client certificate names no alternative name of any kind', () => {
    expect(signerRuleViolation(KUBELET_CLIENT, names(), client)).toBeUndefined();
    for (const over of [{ dnsNames: ['n1'] }, { ipAddresses: ['10.0.0.1'] }, { emailAddresses: ['a@b'] }, { uris: ['spiffe://x'] }]) {
      expect(signerRuleViolation(KUBELET_CLIENT, names(over), client), JSON.stringify(over)).toBe('subject alternative names are not allowed');
    }
  });

  it('a kubelet serving certificate names a DNS name or an IP address, and no email address or URI', () => {
    expect(signerRuleViolation(KUBELET_SERVING, names({ dnsNames: ['n1.example'] }), serving)).toBeUndefined();
    expect(signerRuleViolation(KUBELET_SERVING, names({ ipAddresses: ['10.0.0.1'] }), serving)).toBeUndefined();
    expect(signerRuleViolation(KUBELET_SERVING, names(), serving)).toBe('at least one DNS name or IP address is required');
    expect(signerRuleViolation(KUBELET_SERVING, names({ dnsNames: ['n1'], emailAddresses: ['a@b'] }), serving)).toBe('email addresses and URIs are not allowed');
    expect(signerRuleViolation(KUBELET_SERVING, names({ dnsNames: ['n1'], uris: ['spiffe://x'] }), serving)).toBe('email addresses and URIs are not allowed');
  });
});
