// TLS bootstrap, as Kubernetes' kubelet does it: with only a bootstrap kubeconfig (a bootstrap
// token or a token-file user allowed to create CSRs), the kubelet makes a key and asks for a
// client certificate as system:node:<name> in system:nodes (signer
// kubernetes.io/kube-apiserver-client-kubelet), waits until it is approved (`kubectl
// certificate approve`, or the auto-approver) and issued, keeps key and certificate in
// --cert-dir and writes --kubeconfig to use them. A later start with a valid certificate skips
// all of it.
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { createCSR } from '../../api/pki/certificates.js';
import { StatusError } from '../../api/status.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import { kubeconfigText, loadClientConfig } from '../../client/kubeconfig.js';
import { resource, RestClient, type ClientConfig } from '../../client/rest.js';
import { sleep } from '../../client/sleep.js';
import { readWatchEvents } from '../../client/watch.js';

const csrs = resource('certificates.k8s.io/v1/certificatesigningrequests');
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

/**
 * Whether `kubeconfig` exists with a client certificate valid for at least another minute and
 * issued by the CA the bootstrap kubeconfig trusts (a cluster made anew has a new CA).
 */
export function hasUsableClientCertificate(kubeconfig: string, bootstrapKubeconfig?: string): boolean {
  if (!existsSync(kubeconfig)) return false;
  try {
    const cert = loadClientConfig({ kubeconfig }).tls?.cert;
    if (!cert) return false;
    const x = new X509Certificate(cert);
    if (Date.parse(x.validTo) <= Date.now() + 60_000) return false;
    const ca = bootstrapKubeconfig ? loadClientConfig({ kubeconfig: bootstrapKubeconfig }).tls?.ca : undefined;
    return !ca || x.verify(new X509Certificate(ca).publicKey);
  } catch {
    return false;
  }
}

export interface BootstrapOptions {
  nodeName: string;
  bootstrapKubeconfig: string;
  /** Where the kubeconfig using the issued certificate is written. */
  kubeconfig: string;
  certDir: string;
  log: Logger;
  signal: AbortSignal;
  /** Pause after a watch of the request ends or fails, before reading it again (default 1 s). */
  retryMs?: number;
}

/** Requests, waits for and stores the kubelet's client certificate; resolves once the kubeconfig is written. */
export async function bootstrapClientCertificate(o: BootstrapOptions): Promise<void> {
  const boot = loadClientConfig({ kubeconfig: o.bootstrapKubeconfig, userAgent: `kubelet/${o.nodeName} (bootstrap)` });
  const client = new RestClient(boot);
  try {
    const issued = await requestClientCertificate(client, o);
    if (!issued) return;
    storeClientCertificate(o, boot, issued);
    o.log.info('client certificate issued; kubeconfig written');
  } finally {
    await client.close();
  }
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** What a kubelet asks a signer for: its client certificate, or (--rotate-server-certificates) its serving one. */
export interface CertificateKind {
  /** For log lines: "client" or "serving". */
  noun: string;
  signerName: string;
  usages: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

export const CLIENT_CERTIFICATE: CertificateKind = { noun: 'client', signerName: KUBELET_CLIENT_SIGNER, usages: ['digital signature', 'key encipherment', 'client auth'] };

/**
 * Asks for a client certificate as system:node:<name> with a new key, through `client` (the
 * bootstrap credentials, or the current certificate when rotating), until one is issued;
 * undefined once stopped.
 */
export function requestClientCertificate(client: RestClient, o: Pick<BootstrapOptions, 'nodeName' | 'log' | 'signal' | 'retryMs'>): Promise<IssuedCertificate | undefined> {
  return requestCertificate(client, o, CLIENT_CERTIFICATE);
}

/** Asks for a certificate of `kind` as system:node:<name> with a new key until one is issued; undefined once stopped. */
export async function requestCertificate(client: RestClient, o: Pick<BootstrapOptions, 'nodeName' | 'log' | 'signal' | 'retryMs'>, kind: CertificateKind): Promise<IssuedCertificate | undefined> {
  while (!o.signal.aborted) {
    const { csrPem, keyPem } = await createCSR({ commonName: `system:node:${o.nodeName}`, organizations: ['system:nodes'] }, { dnsNames: kind.dnsNames, ipAddresses: kind.ipAddresses });
    const name = `csr-${randomBytes(8).toString('hex')}`;
    const created = await createRequest(client, o, kind, {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: kind === CLIENT_CERTIFICATE ? `node-${name}` : name },
      spec: { request: Buffer.from(csrPem).toString('base64'), signerName: kind.signerName, usages: kind.usages },
    });
    if (!created) return undefined;
    o.log.info({ csr: created.metadata.name }, `waiting for the ${kind.noun} certificate request to be approved and issued`);
    const issued = await waitForCertificate(client, created, o);
    if (issued === 'deleted') {
      o.log.warn({ csr: created.metadata.name }, `the ${kind.noun} certificate request was deleted before it was issued; asking again in 1s`);
      await sleep(1000, o.signal);
      continue;
    }
    if (issued === 'denied') {
      o.log.error({ csr: created.metadata.name }, `the ${kind.noun} certificate request was denied; asking again in 30s`);
      await sleep(30_000, o.signal);
      continue;
    }
    if (!issued) return undefined;
    o.log.info({ csr: created.metadata.name }, `${kind.noun} certificate issued`);
    return { certPem: issued, keyPem };
  }
  return undefined;
}

/**
 * Keeps the certificate and key in --cert-dir under names of their own and then points
 * --kubeconfig at them (written aside and renamed), so a crash at any moment leaves a
 * kubeconfig whose certificate and key belong together. Older pairs are removed.
 */
export function storeClientCertificate(o: Pick<BootstrapOptions, 'certDir' | 'kubeconfig'>, cluster: ClientConfig, issued: IssuedCertificate): void {
  mkdirSync(o.certDir, { recursive: true, mode: 0o700 });
  const stamp = `${Date.now()}-${randomBytes(3).toString('hex')}`;
  const certFile = join(o.certDir, `kubelet-client-${stamp}.crt`);
  const keyFile = join(o.certDir, `kubelet-client-${stamp}.key`);
  writeFileSync(keyFile, issued.keyPem, { mode: 0o600 });
  writeFileSync(certFile, issued.certPem);
  mkdirSync(dirname(o.kubeconfig), { recursive: true });
  const aside = `${o.kubeconfig}.${stamp}.tmp`;
  // JSON, which every kubeconfig reader takes as YAML: the kubelet reads it without the YAML library.
  writeFileSync(
    aside,
    kubeconfigText({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'default-cluster', cluster: { server: cluster.server, ...(cluster.tls?.ca ? { 'certificate-authority-data': Buffer.from(cluster.tls.ca).toString('base64') } : {}) } }],
      users: [{ name: 'default-auth', user: { 'client-certificate': certFile, 'client-key': keyFile } }],
      contexts: [{ name: 'default-context', context: { cluster: 'default-cluster', user: 'default-auth' } }],
      'current-context': 'default-context',
    }),
    { mode: 0o600 },
  );
  renameSync(aside, o.kubeconfig);
  for (const f of readdirSync(o.certDir)) {
    if (/^kubelet-client-.*\.(crt|key)$/.test(f) && !f.startsWith(`kubelet-client-${stamp}.`)) rmSync(join(o.certDir, f), { force: true });
  }
}

/**
 * Creates the request, trying again while the apiserver cannot take it yet (starting, or its
 * bootstrap permissions not written yet: a cluster's parts start together): every 100 ms for the
 * first 10 s (a refused connection or a 403 costs little; a node joining sooner is what a cold
 * start waits on), then backing off to 5 s. Undefined once stopped.
 */
async function createRequest(client: RestClient, o: Pick<BootstrapOptions, 'log' | 'signal'>, kind: CertificateKind, csr: CertificateSigningRequest): Promise<CertificateSigningRequest | undefined> {
  const started = Date.now();
  let attempts = 0;
  for (let delay = 100; !o.signal.aborted; delay = Date.now() - started < 10_000 ? 100 : Math.min(delay * 2, 5000)) {
    try {
      return await client.create<CertificateSigningRequest>(csrs, undefined, csr);
    } catch (err) {
      // About once a second while it retries quickly.
      if (attempts++ % 10 === 0 || delay > 100) o.log.warn({ err: (err as Error).message, retryInMs: delay }, `cannot create the ${kind.noun} certificate request yet`);
      await sleep(delay, o.signal);
    }
  }
  return undefined;
}

/** What a request's state says: its certificate, refused, or not yet. */
function outcome(csr: CertificateSigningRequest): string | 'denied' | undefined {
  const conds = csr.status?.conditions ?? [];
  if (conds.some((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True')) return 'denied';
  if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
  return undefined;
}

/**
 * Watches the request (by name, from the version it was created at, as client-go's kubelet
 * does) until it is issued or refused, so the certificate is picked up the moment the signer
 * writes it. A watch that ends or fails is followed by a read and a new watch from there.
 */
async function waitForCertificate(client: RestClient, created: CertificateSigningRequest, o: Pick<BootstrapOptions, 'log' | 'signal' | 'retryMs'>): Promise<string | 'denied' | 'deleted' | undefined> {
  const name = created.metadata.name!;
  let resourceVersion = created.metadata.resourceVersion;
  while (!o.signal.aborted) {
    // Ends this watch when the kubelet stops or when the loop leaves it (an answer, an error).
    const stop = new AbortController();
    try {
      const res = await client.openWatch(csrs, undefined, { fieldSelector: `metadata.name=${name}`, ...(resourceVersion ? { resourceVersion } : {}), timeoutSeconds: 300 }, AbortSignal.any([o.signal, stop.signal]));
      for await (const ev of readWatchEvents<CertificateSigningRequest>(res.body)) {
        if (ev.type === 'ERROR') break; // e.g. too old a version: read it afresh below
        if (ev.type === 'DELETED') return 'deleted';
        resourceVersion = ev.object.metadata.resourceVersion;
        const result = outcome(ev.object);
        if (result) return result;
      }
    } catch (err) {
      if (!o.signal.aborted) o.log.warn({ err: (err as Error).message }, 'watching the certificate request failed');
    } finally {
      stop.abort();
    }
    if (o.signal.aborted) break;
    try {
      const csr = await client.get<CertificateSigningRequest>(csrs, undefined, name);
      const result = outcome(csr);
      if (result) return result;
      resourceVersion = csr.metadata.resourceVersion;
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return 'deleted';
      o.log.warn({ err: (err as Error).message }, 'cannot read the certificate request');
    }
    await sleep(o.retryMs ?? 1000, o.signal);
  }
  return undefined;
}
