// The apiserver's authorizer chain from its configuration: --authorization-mode (with the
// --authorization-webhook-* flags for a Webhook mode) or --authorization-config's list, in
// order, after the system:masters group, which may always act.
import { readFileSync } from 'node:fs';
import { MASTERS_GROUP } from '../../component-base/authn/user.js';
import { loadClientConfig } from '../../client/kubeconfig.js';
import type { ClientConfig } from '../../client/rest.js';
import type { AuthorizerConfig } from './authorization-config.js';
import { alwaysAllow, alwaysDeny, chain, privilegedGroups, type Authorizer } from './authorizer.js';
import { WebhookAuthorizer } from './webhook.js';

/** The --authorization-webhook-* flags. */
export interface LegacyWebhookFlags {
  kubeConfigFile: string;
  version: 'v1' | 'v1beta1';
  authorizedTTLMs: number;
  unauthorizedTTLMs: number;
}

/** --authorization-mode as a configuration list (the webhook's failures are no opinion, as Kubernetes' flags have it). */
export function authorizersFromModes(modes: string[], webhook?: LegacyWebhookFlags): AuthorizerConfig[] {
  return modes.map((mode) => {
    const name = mode.toLowerCase();
    if (mode !== 'Webhook') return { type: mode as 'AlwaysAllow' | 'AlwaysDeny' | 'Node' | 'RBAC', name };
    if (!webhook) throw new Error('--authorization-mode Webhook needs --authorization-webhook-config-file');
    return {
      type: 'Webhook',
      name: 'webhook',
      webhook: { ...webhook, timeoutMs: 30_000, failurePolicy: 'NoOpinion', matchConditions: [] },
    };
  });
}

/** The credentials of the service account the apiserver runs as, inside a pod (InClusterConfig). */
function inClusterConfig(): ClientConfig {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: readFileSync(`${dir}/token`, 'utf8').trim(),
    tls: { ca: readFileSync(`${dir}/ca.crt`, 'utf8') },
  };
}

export interface InProcessAuthorizers {
  rbac: Authorizer;
  node: () => Authorizer;
  onWebhookError: (name: string, err: Error) => void;
}

/** The chain for `list`; throws when a webhook's kubeconfig cannot be loaded. */
export function buildAuthorizer(list: AuthorizerConfig[], parts: InProcessAuthorizers): Authorizer {
  const each = list.map((a): Authorizer => {
    switch (a.type) {
      case 'AlwaysAllow':
        return alwaysAllow;
      case 'AlwaysDeny':
        return alwaysDeny;
      case 'RBAC':
        return parts.rbac;
      case 'Node':
        return parts.node();
      case 'Webhook': {
        let client: ClientConfig;
        try {
          client = a.webhook.kubeConfigFile ? loadClientConfig({ kubeconfig: a.webhook.kubeConfigFile }) : inClusterConfig();
        } catch (err) {
          throw new Error(`authorizer ${a.name}: ${(err as Error).message}`);
        }
        return new WebhookAuthorizer({ ...a.webhook, name: a.name, client, onError: (err) => parts.onWebhookError(a.name, err) });
      }
    }
  });
  return chain([privilegedGroups([MASTERS_GROUP]), ...each]);
}
