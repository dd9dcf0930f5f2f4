// The secure port's certificate when none is given (--tls-cert-file): a self-signed CA and a
// serving certificate for the names clients use, kept in --cert-dir (apiserver.crt, .key and
// apiserver-ca.crt, for clients to trust) so a restart serves the same one, as Kubernetes'
// apiserver generates its own in its cert dir.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issue } from '../api/pki/certificates.js';

export interface ServingCert {
  certPem: string;
  keyPem: string;
  caPem: string;
}

export async function selfSignedServingCert(opts: { certDir?: string; hosts: string[]; ips: string[] }): Promise<ServingCert> {
  const files = opts.certDir ? { cert: join(opts.certDir, 'apiserver.crt'), key: join(opts.certDir, 'apiserver.key'), ca: join(opts.certDir, 'apiserver-ca.crt') } : undefined;
  if (files && existsSync(files.cert) && existsSync(files.key) && existsSync(files.ca)) {
    return { certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8'), caPem: readFileSync(files.ca, 'utf8') };
  }
  const ca = await createCA(`kubette-apiserver-ca@${Math.floor(Date.now() / 1000)}`);
  const serving = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], dnsNames: opts.hosts, ipAddresses: opts.ips });
  const out = { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem };
  if (files) {
    mkdirSync(opts.certDir!, { recursive: true, mode: 0o700 });
    writeFileSync(files.key, out.keyPem, { mode: 0o600 });
    writeFileSync(files.cert, out.certPem);
    writeFileSync(files.ca, out.caPem);
  }
  return out;
}
