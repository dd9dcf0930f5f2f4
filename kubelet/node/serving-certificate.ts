// The kubelet's serving certificate from the cluster's signer (--rotate-server-certificates,
// Kubernetes' serverTLSBootstrap): a CSR as system:node:<name> for signer
// kubernetes.io/kubelet-serving naming the node's addresses, which an administrator approves
// (`kubectl certificate approve`: nothing approves serving requests by itself, since the names
// in them are the node's word). Until one is issued the kubelet's API has no certificate and
// every TLS handshake fails; from then on it serves the issued one, and asks for the next at
// 70-90% of its validity. Kept in --cert-dir as kubelet-server-current.pem (certificate and
// key), so a restart serves it at once.
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RestClient } from '../../client/rest.js';
import { sleep } from '../../client/sleep.js';
import { requestCertificate, type CertificateKind, type IssuedCertificate } from './bootstrap.js';
import { rotationDeadline } from './certificate-rotation.js';

export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
const CURRENT = 'kubelet-server-current.pem';

export interface ServingCertificateOptions {
  client: RestClient;
  nodeName: string;
  /** The node's addresses, as its status reports them: Hostname and InternalIP. */
  dnsNames: string[];
  ipAddresses: string[];
  certDir: string;
  log: Logger;
  signal: AbortSignal;
  /** Called with each certificate issued, to serve it. */
  use(issued: IssuedCertificate): void;
  random?: () => number;
}

/** The stored certificate and key, if both are there, belong together and have not expired (one near its end is served while its successor is asked for). */
export function loadServingCertificate(certDir: string): (IssuedCertificate & { writtenAt: number }) | undefined {
  try {
    const text = readFileSync(join(certDir, CURRENT), 'utf8');
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
    const keyPem = /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:EC |RSA )?PRIVATE KEY-----\n?/.exec(text)?.[0];
    if (!certPem || !keyPem) return undefined;
    const x = new X509Certificate(certPem);
    if (Date.parse(x.validTo) <= Date.now() || !x.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    // Written when issued: the start of its validity for rotation (signers backdate notBefore).
    return { certPem, keyPem, writtenAt: statSync(join(certDir, CURRENT)).mtimeMs };
  } catch {
    return undefined;
  }
}

/** Keeps the pair under a name of its own, then makes it current (written aside and renamed); older pairs go. */
export function storeServingCertificate(certDir: string, issued: IssuedCertificate): void {
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const name = `kubelet-server-${Date.now()}-${randomBytes(3).toString('hex')}.pem`;
  const text = issued.certPem.trimEnd() + '\n' + issued.keyPem.trimEnd() + '\n';
  writeFileSync(join(certDir, name), text, { mode: 0o600 });
  const aside = join(certDir, `${CURRENT}.${randomBytes(3).toString('hex')}.tmp`);
  writeFileSync(aside, text, { mode: 0o600 });
  renameSync(aside, join(certDir, CURRENT));
  for (const f of readdirSync(certDir)) {
    if (/^kubelet-server-\d+-\w+\.pem$/.test(f) && f !== name) rmSync(join(certDir, f), { force: true });
  }
}

/**
 * Runs until `signal` aborts: asks for a serving certificate when there is none or the current
 * one is due, stores it and hands it to `use`.
 */
export async function manageServingCertificate(o: ServingCertificateOptions): Promise<void> {
  const kind: CertificateKind = {
    noun: 'serving',
    signerName: KUBELET_SERVING_SIGNER,
    usages: ['digital signature', 'key encipherment', 'server auth'],
    dnsNames: o.dnsNames,
    ipAddresses: o.ipAddresses,
  };
  while (!o.signal.aborted) {
    const current = loadServingCertificate(o.certDir);
    if (current) {
      const deadline = rotationDeadline(current.certPem, current.writtenAt, o.random);
      o.log.info({ inSeconds: Math.max(0, Math.round((deadline - Date.now()) / 1000)) }, 'serving certificate rotation scheduled');
      // A timer holds at most ~24 days: wait in steps of a day.
      while (!o.signal.aborted && Date.now() < deadline) await sleep(Math.min(deadline - Date.now(), 86_400_000), o.signal);
      if (o.signal.aborted) return;
    }
    try {
      const issued = await requestCertificate(o.client, o, kind);
      if (!issued) return;
      storeServingCertificate(o.certDir, issued);
      o.use(issued);
      o.log.info({ notAfter: new X509Certificate(issued.certPem).validTo }, 'serving certificate in use');
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'asking for a serving certificate failed; trying again in 30s');
      await sleep(30_000, o.signal);
    }
  }
}
