// The CSR signer: approved requests for the kubernetes.io signers get a certificate from the
// cluster CA (--cluster-signing-cert-file / --cluster-signing-key-file), valid for the
// requested expirationSeconds (at least 10 minutes) up to --cluster-signing-duration. Each
// signer's rules are checked first (a kubelet client certificate names system:node:<name> in
// system:nodes, with client auth); a request that breaks them gets a Failed condition.
import { parseCSR, signCSR, type Issued, type ParsedCSR } from '../../api/pki/certificates.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { CertificateSigningRequest, CSRCondition } from '../../api/types/certificates.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const csrs = resource('certificates.k8s.io/v1/certificatesigningrequests');
export const KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
export const APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

export const hasCondition = (csr: CertificateSigningRequest, type: string) => (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** Why a request breaks its signer's rules, or undefined. */
export function signerRuleViolation(signer: string, names: Omit<ParsedCSR, 'signatureValid'>, usages: string[]): string | undefined {
  const allowed = (list: string[]) => usages.every((u) => list.includes(u));
  if (signer === KUBELET_CLIENT) {
    if (!names.commonName.startsWith('system:node:') || names.commonName.length === 'system:node:'.length) return 'subject common name must begin with "system:node:"';
    if (names.organizations.length !== 1 || names.organizations[0] !== 'system:nodes') return 'subject organization must be exactly "system:nodes"';
    if (names.dnsNames.length || names.ipAddresses.length || names.emailAddresses.length || names.uris.length) return 'subject alternative names are not allowed';
    if (!usages.includes('client auth') || !allowed(['digital signature', 'key encipherment', 'client auth'])) return 'usages must be "client auth" with at most "digital signature" and "key encipherment"';
    return undefined;
  }
  if (signer === KUBELET_SERVING) {
    if (!names.commonName.startsWith('system:node:') || names.organizations.join(',') !== 'system:nodes') return 'subject must be system:node:<name> in system:nodes';
    if (names.emailAddresses.length || names.uris.length) return 'email addresses and URIs are not allowed';
    if (!names.dnsNames.length && !names.ipAddresses.length) return 'at least one DNS name or IP address is required';
    if (!usages.includes('server auth') || !allowed(['digital signature', 'key encipherment', 'server auth'])) return 'usages must be "server auth" with at most "digital signature" and "key encipherment"';
    return undefined;
  }
  if (signer === APISERVER_CLIENT) {
    if (!usages.includes('client auth') || !allowed(['digital signature', 'key encipherment', 'client auth'])) return 'usages must be "client auth" with at most "digital signature" and "key encipherment"';
    return undefined;
  }
  return 'not a signer this controller serves';
}

export class CSRSigningController extends Controller {
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(
    ctx: ControllerContext,
    private readonly ca: Issued | undefined,
    private readonly maxSeconds: number,
  ) {
    super('csrsigning', ctx);
    this.csrs = ctx.informers.for('certificates.k8s.io/v1/certificatesigningrequests');
    this.csrs.addHandler({ add: (c) => this.enqueue(c), update: (_o, c) => this.enqueue(c) });
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const csr = this.csrs.get(name);
    if (!this.ca || !csr || !hasCondition(csr, 'Approved') || hasCondition(csr, 'Failed') || csr.status?.certificate) return;
    const signer = csr.spec.signerName;
    if (![KUBELET_CLIENT, APISERVER_CLIENT, KUBELET_SERVING].includes(signer)) return;
    const pem = Buffer.from(csr.spec.request, 'base64').toString('utf8');
    let status: CertificateSigningRequest['status'];
    try {
      const parsed = await parseCSR(pem);
      const violation = parsed.signatureValid ? signerRuleViolation(signer, parsed, csr.spec.usages) : 'the request signature does not verify';
      if (violation) throw new Error(violation);
      const seconds = Math.min(Math.max(csr.spec.expirationSeconds ?? this.maxSeconds, 600), this.maxSeconds);
      const usages: Array<'server' | 'client'> = [...(csr.spec.usages.includes('client auth') ? ['client' as const] : []), ...(csr.spec.usages.includes('server auth') ? ['server' as const] : [])];
      const certificate = await signCSR(this.ca, pem, { usages, dnsNames: parsed.dnsNames, ipAddresses: parsed.ipAddresses, days: seconds / 86400 });
      status = { ...(csr.status ?? {}), certificate: Buffer.from(certificate).toString('base64') };
    } catch (err) {
      const now = rfc3339();
      const failed: CSRCondition = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: (err as Error).message, lastUpdateTime: now, lastTransitionTime: now };
      status = { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), failed] };
    }
    try {
      await this.ctx.client.updateStatus(csrs, { ...structuredClone(csr), status });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return { requeueAfterMs: 100 };
      throw err;
    }
  }
}
