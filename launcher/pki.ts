// The cluster's certificates and kubeconfigs, made on first start and kept in <dir>/pki (never
// in git): a CA (which also signs kubelets' CSRs); the apiserver's serving certificate
// (127.0.0.1, localhost, the kubernetes Service's names and IP); the service-account signing
// key; a client certificate and kubeconfig for the admin (system:masters), the scheduler, the
// controller-manager, the proxy and DNS; the apiserver's client certificate for kubelets' APIs;
// etcd's own CA, serving certificate and the apiserver's client certificate for it;
// and for kubelets, the seeds' bootstrap: a token file
// with kubelet-bootstrap in system:bootstrappers and a bootstrap kubeconfig, with which each
// kubelet requests its own certificate. Later starts reuse what is there.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issue, type Issued } from '../api/pki/certificates.js';
import { yamlLibrary } from '../api/codec/yaml-library.js';
import { kubeconfigText } from '../client/kubeconfig.js';

export interface ClusterPKI {
  dir: string;
  caCert: string;
  apiserverCert: string;
  apiserverKey: string;
  caKey: string;
  serviceAccountKey: string;
  /** Kubeconfig file by identity: admin, scheduler, controller-manager, proxy, dns. */
  kubeconfigs: Record<string, string>;
  /** etcd's CA, serving certificate and key, and the apiserver's client certificate for it. */
  etcd: { ca: string; cert: string; key: string; peerCert: string; peerKey: string; clientCert: string; clientKey: string };
  /** The apiserver's client certificate and key for kubelets. */
  kubeletClientCert: string;
  kubeletClientKey: string;
  frontProxy: { ca: string; cert: string; key: string };
  /** --token-auth-file with the bootstrap user, and the kubelets' bootstrap kubeconfig. */
  tokenFile: string;
  bootstrapKubeconfig: string;
}

export interface PKIOptions {
  /** Where the apiserver's secure port answers, e.g. https://127.0.0.1:6443. */
  server: string;
  /** Extra IPs and names for the serving certificate (the kubernetes Service IP, ...). */
  ips: string[];
  names: string[];
}

export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

const IDENTITIES: Record<string, { cn: string; groups: string[] }> = {
  admin: { cn: 'kubernetes-admin', groups: ['system:masters'] },
  scheduler: { cn: 'system:kube-scheduler', groups: [] },
  'controller-manager': { cn: 'system:kube-controller-manager', groups: [] },
  proxy: { cn: 'system:kube-proxy', groups: [] },
  dns: { cn: 'system:kube-dns', groups: [] },
  'metrics-server': { cn: 'system:metrics-server', groups: [] },
  // One process writing for many Nodes and their pods: no node identity fits, so cluster-admin (as kwok runs).
  'simulated-nodes': { cn: 'kubette:simulated-nodes', groups: ['system:masters'] },
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

/**
 * A kubeconfig with everything inline, for one identity: JSON for components (they read it
 * without the YAML library), YAML for people (`forPeople`: the admin's).
 */
export function kubeconfigFor(server: string, caPem: string, user: string, client: Issued, forPeople = false): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubette', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(client.keyPem) } }],
    contexts: [{ name: 'kubette', context: { cluster: 'kubette', user, namespace: 'default' } }],
    'current-context': 'kubette',
  };
  return forPeople ? yamlLibrary().stringify(config) : kubeconfigText(config);
}

/**
 * A kubelet's own certificate and kubeconfig, issued directly (for clusters run without a
 * controller-manager, where no one would sign its CSR).
 */
export async function ensureKubeletKubeconfig(pki: ClusterPKI, node: string, server: string): Promise<string> {
  const name = `kubelet-${node}`;
  const ca = { certPem: readFileSync(pki.caCert, 'utf8'), keyPem: readFileSync(pki.caKey, 'utf8') };
  let client = read(pki.dir, name);
  if (!client) {
    client = await issue(ca, { commonName: `system:node:${node}`, organizations: ['system:nodes'] }, { usages: ['client'] });
    save(pki.dir, name, client);
  }
  const file = join(pki.dir, `${name}.kubeconfig`);
  writeFileSync(file, kubeconfigFor(server, ca.certPem, `system:node:${node}`, client), { mode: 0o600 });
  return file;
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
  // etcd has a CA of its own, as kubeadm sets it up: its client-certificate check must let in
  // the apiserver only, not every holder of a cluster certificate (kubelets, users).
  const etcdDir = join(dir, 'etcd');
  mkdirSync(etcdDir, { recursive: true, mode: 0o700 });
  let etcdCA = read(etcdDir, 'ca');
  if (!etcdCA) {
    etcdCA = await createCA('kubette-etcd-ca');
    save(etcdDir, 'ca', etcdCA);
  }
  if (!read(etcdDir, 'server')) {
    save(etcdDir, 'server', await issue(etcdCA, { commonName: 'kube-etcd' }, { usages: ['server', 'client'], ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] }));
  }
  // Members authenticate one another with peer certificates from the same CA (kubeadm's
  // etcd/peer): both ends of a peer connection present one, so it is both server and client.
  if (!read(etcdDir, 'peer')) {
    save(etcdDir, 'peer', await issue(etcdCA, { commonName: 'kube-etcd-peer' }, { usages: ['server', 'client'], ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] }));
  }
  if (!read(dir, 'apiserver-etcd-client')) {
    save(dir, 'apiserver-etcd-client', await issue(etcdCA, { commonName: 'kube-apiserver-etcd-client' }, { usages: ['client'] }));
  }
  // The apiserver's identity towards kubelets (logs, exec), bound to system:kubelet-api-admin.
  if (!read(dir, 'apiserver-kubelet-client')) {
    save(dir, 'apiserver-kubelet-client', await issue(ca, { commonName: KUBELET_CLIENT_USER }, { usages: ['client'] }));
  }
  // Aggregation: the front proxy's own CA, as kubeadm sets it up, and the apiserver's
  // certificate towards aggregated servers.
  let frontProxyCA = read(dir, 'front-proxy-ca');
  if (!frontProxyCA) {
    frontProxyCA = await createCA('kubette-front-proxy-ca');
    save(dir, 'front-proxy-ca', frontProxyCA);
  }
  if (!read(dir, 'front-proxy-client')) {
    save(dir, 'front-proxy-client', await issue(frontProxyCA, { commonName: FRONT_PROXY_CLIENT }, { usages: ['client'] }));
  }
  const saKey = join(dir, 'sa.key');
  if (!existsSync(saKey)) {
    const { generateKeyPairSync } = await import('node:crypto');
    writeFileSync(saKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const kubeconfigs: Record<string, string> = {};
  for (const [name, who] of Object.entries(IDENTITIES)) {
    let client = read(dir, name);
    if (!client) {
      client = await issue(ca, { commonName: who.cn, organizations: who.groups }, { usages: ['client'] });
      save(dir, name, client);
    }
    const file = join(dir, `${name}.kubeconfig`);
    // Rewritten every start: the server's port may differ from the last run.
    writeFileSync(file, kubeconfigFor(opts.server, ca.certPem, who.cn, client, name === 'admin'), { mode: 0o600 });
    kubeconfigs[name] = file;
  }
  // The bootstrap token: <id>.<secret>, as kubeadm's tokens look.
  const tokenFile = join(dir, 'token.csv');
  if (!existsSync(tokenFile)) {
    writeFileSync(tokenFile, `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')},kubelet-bootstrap,10001,"system:bootstrappers"\n`, { mode: 0o600 });
  }
  const token = readFileSync(tokenFile, 'utf8').split(',')[0]!;
  const bootstrapKubeconfig = join(dir, 'bootstrap.kubeconfig');
  writeFileSync(
    bootstrapKubeconfig,
    kubeconfigText({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubette', cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
      users: [{ name: 'kubelet-bootstrap', user: { token } }],
      contexts: [{ name: 'kubette', context: { cluster: 'kubette', user: 'kubelet-bootstrap' } }],
      'current-context': 'kubette',
    }),
    { mode: 0o600 },
  );
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    serviceAccountKey: saKey,
    etcd: {
      ca: join(etcdDir, 'ca.crt'),
      cert: join(etcdDir, 'server.crt'),
      key: join(etcdDir, 'server.key'),
      peerCert: join(etcdDir, 'peer.crt'),
      peerKey: join(etcdDir, 'peer.key'),
      clientCert: join(dir, 'apiserver-etcd-client.crt'),
      clientKey: join(dir, 'apiserver-etcd-client.key'),
    },
    kubeletClientCert: join(dir, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(dir, 'apiserver-kubelet-client.key'),
    frontProxy: { ca: join(dir, 'front-proxy-ca.crt'), cert: join(dir, 'front-proxy-client.crt'), key: join(dir, 'front-proxy-client.key') },
    kubeconfigs,
    tokenFile,
    bootstrapKubeconfig,
  };
}
