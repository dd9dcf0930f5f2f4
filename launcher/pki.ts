// The cluster's certificates and kubeconfigs, made on first start and kept in <dir>/pki (never
// in git): a CA; the apiserver's serving certificate (127.0.0.1, localhost, the kubernetes
// Service's names and IP); the service-account signing key; and a client certificate and
// kubeconfig per identity: the admin (system:masters), the scheduler, the controller-manager,
// the proxy, DNS and each kubelet (system:node:<name> in system:nodes). Later starts reuse
// what is there and add what is missing (a new node). The same files as the seeds' cfssl
// recipe makes, under the names Kubernetes' own tooling uses.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issue, type Issued } from '../api/pki/certificates.js';
import { stringify } from 'yaml';

export interface ClusterPKI {
  dir: string;
  caCert: string;
  apiserverCert: string;
  apiserverKey: string;
  serviceAccountKey: string;
  /** Kubeconfig file by identity: admin, scheduler, controller-manager, proxy, dns, kubelet-<node>. */
  kubeconfigs: Record<string, string>;
}

export interface PKIOptions {
  /** Where the apiserver's secure port answers, e.g. https://127.0.0.1:6443. */
  server: string;
  /** Extra IPs and names for the serving certificate (the kubernetes Service IP, ...). */
  ips: string[];
  names: string[];
  nodes: string[];
}

const IDENTITIES: Record<string, { cn: string; groups: string[] }> = {
  admin: { cn: 'kubernetes-admin', groups: ['system:masters'] },
  scheduler: { cn: 'system:kube-scheduler', groups: [] },
  'controller-manager': { cn: 'system:kube-controller-manager', groups: [] },
  proxy: { cn: 'system:kube-proxy', groups: [] },
  dns: { cn: 'system:kube-dns', groups: [] },
};

function read(dir: string, name: string): Issued | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  return existsSync(cert) && existsSync(key) ? { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') } : undefined;
}

function save(dir: string, name: string, issued: Issued): void {
  writeFileSync(join(dir, `${name}.key`), issued.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, `${name}.crt`), issued.certPem);
}

/** A kubeconfig with everything inline, for one identity. */
export function kubeconfigFor(server: string, caPem: string, user: string, client: Issued): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubette', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(client.keyPem) } }],
    contexts: [{ name: 'kubette', context: { cluster: 'kubette', user, namespace: 'default' } }],
    'current-context': 'kubette',
  });
}

export async function ensureClusterPKI(dataDir: string, opts: PKIOptions): Promise<ClusterPKI> {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = read(dir, 'ca');
  if (!ca) {
    ca = await createCA('kubette-ca');
    save(dir, 'ca', ca);
  }
  if (!read(dir, 'apiserver')) {
    save(dir, 'apiserver', await issue(ca, { commonName: 'kube-apiserver' }, {
      usages: ['server'],
      ipAddresses: ['127.0.0.1', ...opts.ips],
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...opts.names],
    }));
  }
  const saKey = join(dir, 'sa.key');
  if (!existsSync(saKey)) {
    const { generateKeyPairSync } = await import('node:crypto');
    writeFileSync(saKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const kubeconfigs: Record<string, string> = {};
  const identities = { ...IDENTITIES, ...Object.fromEntries(opts.nodes.map((n) => [`kubelet-${n}`, { cn: `system:node:${n}`, groups: ['system:nodes'] }])) };
  for (const [name, who] of Object.entries(identities)) {
    let client = read(dir, name);
    if (!client) {
      client = await issue(ca, { commonName: who.cn, organizations: who.groups }, { usages: ['client'] });
      save(dir, name, client);
    }
    const file = join(dir, `${name}.kubeconfig`);
    // Rewritten every start: the server's port may differ from the last run.
    writeFileSync(file, kubeconfigFor(opts.server, ca.certPem, who.cn, client), { mode: 0o600 });
    kubeconfigs[name] = file;
  }
  return { dir, caCert: join(dir, 'ca.crt'), apiserverCert: join(dir, 'apiserver.crt'), apiserverKey: join(dir, 'apiserver.key'), serviceAccountKey: saKey, kubeconfigs };
}
