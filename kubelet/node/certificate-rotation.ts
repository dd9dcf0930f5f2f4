// Client certificate rotation (--rotate-certificates), as Kubernetes' kubelet does it: when 70
// to 90% of the current certificate's validity has passed (a random point, so nodes do not all
// ask at once), the kubelet asks for a new one as itself (the controller-manager approves a
// node's request for its own name), stores it beside a kubeconfig that points at it, and
// switches its connections to it. A request that fails is tried again after a while; a
// certificate that expires meanwhile is replaced by bootstrapping again at the next start.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseYAML } from '../../api/codec/yaml.js';
import type { Logger } from 'pino';
import { loadClientConfig } from '../../client/kubeconfig.js';
import type { RestClient } from '../../client/rest.js';
import { sleep } from '../../client/sleep.js';
import { requestClientCertificate, storeClientCertificate } from './bootstrap.js';

export interface RotationOptions {
  client: RestClient;
  nodeName: string;
  kubeconfig: string;
  certDir: string;
  log: Logger;
  signal: AbortSignal;
  random?: () => number;
}

/**
 * When to ask for the next certificate: 70-90% of the way from its start to notAfter. Its start
 * is notBefore, or when it was issued if later: signers backdate notBefore (an hour here, for
 * clock skew), which for a short-lived certificate would put the deadline in the past.
 */
export function rotationDeadline(certPem: string, issuedAt: number | undefined, random: () => number = Math.random): number {
  const x = new X509Certificate(certPem);
  const from = Math.max(Date.parse(x.validFrom), issuedAt ?? 0);
  const to = Date.parse(x.validTo);
  return from + Math.max(0, to - from) * (0.7 + 0.2 * random());
}

/** When the kubeconfig's certificate file was written (its issue, near enough), if it names one. */
function certificateWrittenAt(kubeconfig: string): number | undefined {
  try {
    const file = (parseYAML(readFileSync(kubeconfig, 'utf8')) ?? {}) as { 'current-context'?: string; contexts?: Array<{ name: string; context: { user?: string } }>; users?: Array<{ name: string; user?: Record<string, string> }> };
    const user = file.contexts?.find((c) => c.name === file['current-context'])?.context.user;
    const path = file.users?.find((u) => u.name === user)?.user?.['client-certificate'];
    return path ? statSync(resolve(dirname(kubeconfig), path)).mtimeMs : undefined;
  } catch {
    return undefined;
  }
}

/** Runs until `signal` aborts. */
export async function rotateClientCertificates(o: RotationOptions): Promise<void> {
  while (!o.signal.aborted) {
    let cert: string | undefined;
    try {
      cert = loadClientConfig({ kubeconfig: o.kubeconfig }).tls?.cert;
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'cannot read the client certificate to rotate');
    }
    if (!cert) return;
    let deadline: number;
    try {
      deadline = rotationDeadline(cert, certificateWrittenAt(o.kubeconfig), o.random);
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'cannot parse the client certificate to rotate');
      return;
    }
    o.log.info({ inSeconds: Math.max(0, Math.round((deadline - Date.now()) / 1000)) }, 'client certificate rotation scheduled');
    // A timer holds at most ~24 days: wait in steps of a day.
    while (!o.signal.aborted && Date.now() < deadline) await sleep(Math.min(deadline - Date.now(), 86_400_000), o.signal);
    if (o.signal.aborted) return;
    try {
      const issued = await requestClientCertificate(o.client, o);
      if (!issued) return;
      storeClientCertificate(o, o.client.config, issued);
      o.client.useClientCertificate(issued.certPem, issued.keyPem);
      o.log.info({ notAfter: new X509Certificate(issued.certPem).validTo }, 'client certificate rotated');
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'client certificate rotation failed; trying again in 30s');
      await sleep(30_000, o.signal);
    }
  }
}
