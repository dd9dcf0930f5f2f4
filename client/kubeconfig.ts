// Where a component finds the apiserver: --master (a URL) wins, else --kubeconfig's current
// context (server, CA, client certificate or bearer token), as Kubernetes components do. Paths
// in a kubeconfig are relative to the kubeconfig's own directory, as client-go reads them.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseYAML } from '../api/codec/yaml.js';
import type { ClientConfig } from './rest.js';

interface KubeconfigCluster {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user?: string } }>;
  clusters?: Array<{ name: string; cluster: KubeconfigCluster }>;
  users?: Array<{ name: string; user?: KubeconfigUser }>;
}

/**
 * A kubeconfig's text as kubette writes it for its components: JSON (a YAML document every
 * kubeconfig reader takes), so they read it without the YAML library. Indented, for people.
 */
export function kubeconfigText(config: object): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function loadClientConfig(opts: { master?: string; kubeconfig?: string; userAgent?: string }): ClientConfig {
  if (opts.master) return { server: opts.master.replace(/\/+$/, ''), userAgent: opts.userAgent };
  if (!opts.kubeconfig) throw new Error('neither --master nor --kubeconfig was given');
  const base = dirname(resolve(opts.kubeconfig));
  // JSON (what kubette writes) without the YAML library; YAML as users write it, with it.
  const file = (parseYAML(readFileSync(opts.kubeconfig, 'utf8')) ?? {}) as KubeconfigFile;
  const contextName = file['current-context'];
  const context = file.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${opts.kubeconfig}: current context "${contextName ?? ''}" not found`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`${opts.kubeconfig}: cluster "${context.cluster}" has no server`);
  const user = file.users?.find((u) => u.name === context.user)?.user;
  /** Inline base64 data, else a file (relative to the kubeconfig). */
  const material = (data: string | undefined, path: string | undefined) =>
    data ? Buffer.from(data, 'base64').toString('utf8') : path ? readFileSync(resolve(base, path), 'utf8') : undefined;
  const token = user?.token ?? (user?.tokenFile ? readFileSync(resolve(base, user.tokenFile), 'utf8').trim() : undefined);
  const ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = material(user?.['client-certificate-data'], user?.['client-certificate']);
  const key = material(user?.['client-key-data'], user?.['client-key']);
  const tls = ca || cert || cluster['insecure-skip-tls-verify'] ? { ca, cert, key, insecureSkipVerify: !!cluster['insecure-skip-tls-verify'] } : undefined;
  return { server: cluster.server.replace(/\/+$/, ''), token, userAgent: opts.userAgent, ...(tls ? { tls } : {}) };
}
