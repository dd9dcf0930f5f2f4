// A TLS server's certificate when none is given (--tls-cert-file): a self-signed CA and a
// serving certificate for the names clients use, kept in --cert-dir (<name>.crt, .key and
// <name>-ca.crt, for clients to trust) so a restart serves the same one, as Kubernetes'
// apiserver and kubelet generate their own in their cert dirs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issue } from '../api/pki/certificates.js';

export interface ServingCert {
  certPem: string;
  keyPem: string;
  caPem: string;
}

export interface ServingCertOptions {
  certDir?: string;
  /** File names and subject: apiserver, kubelet. */
  name: string;
  commonName: string;
  hosts: string[];
  ips: string[];
}

export async function selfSignedServingCert(opts: ServingCertOptions): Promise<ServingCert> {
  const files = opts.certDir ? { cert: join(opts.certDir, `${opts.name}.crt`), key: join(opts.certDir, `${opts.name}.key`), ca: join(opts.certDir, `${opts.name}-ca.crt`) } : undefined;
  if (files && existsSync(files.cert) && existsSync(files.key) && existsSync(files.ca)) {
    return { certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8'), caPem: readFileSync(files.ca, 'utf8') };
  }
  const ca = await createCA(`kubette-${opts.name}-ca@${Math.floor(Date.now() / 1000)}`);
  const serving = await issue(ca, { commonName: opts.commonName }, { usages: ['server'], dnsNames: opts.hosts, ipAddresses: opts.ips });
  const out = { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem };
  if (files) {
    mkdirSync(opts.certDir!, { recursive: true, mode: 0o700 });
    writeFileSync(files.key, out.keyPem, { mode: 0o600 });
    writeFileSync(files.cert, out.certPem);
    writeFileSync(files.ca, out.caPem);
  }
  return out;
}
