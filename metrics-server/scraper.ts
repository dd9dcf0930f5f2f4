// Scrapes every node's kubelet (/metrics/resource over HTTPS, at the Node's InternalIP and
// advertised kubelet port) with this component's own credentials, all nodes at once, each with
// a deadline so one stuck kubelet does not hold the rest back.
import { Agent, request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Node } from '../api/types/core.js';
import type { ClientConfig } from '../client/rest.js';
import { parseResourceMetrics, type NodeScrape } from './resource-text.js';

export interface KubeletClient {
  /** Credentials towards kubelets: this component's client certificate or token. */
  credentials: Pick<ClientConfig, 'tls' | 'token'>;
  /** Skip checking the kubelets' serving certificates (they are self-signed). */
  insecure: boolean;
  timeoutMs: number;
}

export function kubeletAddress(node: Node): { host: string; port: number } | undefined {
  const addresses = (node.status?.addresses ?? []) as Array<{ type: string; address: string }>;
  const host = addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses.find((a) => a.type === 'Hostname')?.address;
  const port = (node.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } | undefined)?.daemonEndpoints?.kubeletEndpoint?.Port;
  return host && port ? { host, port } : undefined;
}

/** Whether a serving certificate is made out to `node` (its DNS names or common name). */
export function certificateNamesNode(cert: Pick<PeerCertificate, 'subject' | 'subjectaltname'> | undefined, node: string): boolean {
  if (!cert) return false;
  const dns = (cert.subjectaltname ?? '').split(',').map((n) => n.trim()).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
  const cn = String(cert.subject?.CN ?? '').split('@')[0];
  return dns.includes(node) || cn === node;
}

/**
 * Connections to kubelets kept alive between scrapes, but never resumed from a cached TLS
 * session: on a resumed session the kubelet sends no certificate, Node's client then reports
 * none (getPeerCertificate() is empty), and a kubelet could not be told from another node's.
 * A full handshake costs ~3 ms of CPU, both ends together (measured on loopback), at most once
 * per node and scrape period.
 */
const kubeletAgent = new Agent({ keepAlive: true, maxCachedSessions: 0 });

export function scrapeNode(node: Node, k: KubeletClient): Promise<NodeScrape> {
  const target = kubeletAddress(node);
  if (!target) return Promise.reject(new Error(`node ${node.metadata.name} has no InternalIP and kubelet port`));
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: '/metrics/resource',
        method: 'GET',
        agent: kubeletAgent,
        rejectUnauthorized: !k.insecure,
        ...(k.credentials.tls?.ca && !k.insecure ? { ca: k.credentials.tls.ca } : {}),
        ...(k.credentials.tls?.cert ? { cert: k.credentials.tls.cert, key: k.credentials.tls.key } : {}),
        headers: k.credentials.token ? { authorization: `Bearer ${k.credentials.token}` } : {},
        timeout: k.timeoutMs,
      },
      (res) => {
        // Unverified certificates are still read for whose they are: a kubelet answering at
        // another node's address (simulated nodes share loopback) must not be taken for it.
        if (k.insecure && !certificateNamesNode((res.socket as TLSSocket).getPeerCertificate(), node.metadata.name!)) {
          res.resume();
          reject(new Error(`the kubelet at ${target.host}:${target.port} is not ${node.metadata.name}'s (its serving certificate names another node)`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          // A kubelet's answer is small; a huge one is not read into memory.
          if (size > 64 * 1024 * 1024) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`kubelet ${target.host}:${target.port}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          else resolve(parseResourceMetrics(text, startedAt));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`kubelet ${target.host}:${target.port}: no answer in ${k.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
