// Where a component finds the apiserver: --master (a URL) wins, else --kubeconfig's current
// context (server, bearer token), as Kubernetes components do.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ClientConfig } from './rest.js';

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user?: string } }>;
  clusters?: Array<{ name: string; cluster: { server: string } }>;
  users?: Array<{ name: string; user?: { token?: string; tokenFile?: string } }>;
}

export function loadClientConfig(opts: { master?: string; kubeconfig?: string; userAgent?: string }): ClientConfig {
  if (opts.master) return { server: opts.master.replace(/\/+$/, ''), userAgent: opts.userAgent };
  if (!opts.kubeconfig) throw new Error('neither --master nor --kubeconfig was given');
  const file = parse(readFileSync(opts.kubeconfig, 'utf8')) as KubeconfigFile;
  const contextName = file['current-context'];
  const context = file.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${opts.kubeconfig}: current context "${contextName ?? ''}" not found`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`${opts.kubeconfig}: cluster "${context.cluster}" has no server`);
  const user = file.users?.find((u) => u.name === context.user)?.user;
  const token = user?.token ?? (user?.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
  return { server: cluster.server.replace(/\/+$/, ''), token, userAgent: opts.userAgent };
}
