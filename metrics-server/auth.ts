// Who is calling, and may they: requests come through the apiserver's aggregator, which
// presents the front proxy's client certificate (checked against the requestheader CA and
// allowed names the apiserver publishes in kube-system/extension-apiserver-authentication)
// and names the caller in X-Remote-User / X-Remote-Group. Each caller's access is then asked
// of the apiserver with a SubjectAccessReview (delegated authorization), and remembered briefly.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ConfigMap } from '../api/types/core.js';
import type { ApiClient } from '../client/api-client.js';
import { resource } from '../client/rest.js';
import { SubjectAccessReviewer } from '../component-base/authz/subject-access-review.js';
import { GROUP, type Access } from './api.js';

export interface RequestHeaderConfig {
  caPem: string;
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
}

const configMaps = resource('v1/configmaps');

/** Reads the front proxy's settings; throws until the apiserver has published them. */
export async function readRequestHeaderConfig(client: ApiClient): Promise<RequestHeaderConfig> {
  const cm = await client.get<ConfigMap>(configMaps, 'kube-system', 'extension-apiserver-authentication');
  const d: Record<string, string> = cm.data ?? {};
  const list = (k: string, fallback: string[]) => (d[k] ? (JSON.parse(d[k]!) as string[]) : fallback);
  if (!d['requestheader-client-ca-file']) throw new Error('the apiserver publishes no requestheader-client-ca-file (is --requestheader-client-ca-file set?)');
  return {
    caPem: d['requestheader-client-ca-file']!,
    allowedNames: list('requestheader-allowed-names', []),
    usernameHeaders: list('requestheader-username-headers', ['X-Remote-User']),
    groupHeaders: list('requestheader-group-headers', ['X-Remote-Group']),
  };
}

export interface Caller {
  user: string;
  groups: string[];
}

/** The caller a front-proxied request names; undefined when the request is not from the front proxy. */
export function authenticate(req: IncomingMessage, cfg: RequestHeaderConfig): Caller | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cn = socket.getPeerCertificate()?.subject?.CN;
  if (cfg.allowedNames.length && !cfg.allowedNames.includes(String(cn))) return undefined;
  // Each header line is one value: a group name may not be split at commas.
  const values = (name: string) => req.headersDistinct[name.toLowerCase()] ?? [];
  const userName = cfg.usernameHeaders.map((h) => values(h)[0]).find((v) => v !== undefined);
  if (!userName) return undefined;
  return { user: userName, groups: cfg.groupHeaders.flatMap(values) };
}

/** SubjectAccessReviews for the metrics API, each answer kept for a few seconds per caller and access. */
export class DelegatedAuthorizer {
  private readonly reviewer: SubjectAccessReviewer;

  constructor(client: Pick<ApiClient, 'request'>, ttlMs = 10_000) {
    this.reviewer = new SubjectAccessReviewer(client, { allowedMs: ttlMs, deniedMs: ttlMs });
  }

  allowed(caller: Caller, access: Access): Promise<boolean> {
    return this.reviewer.allowed(
      { name: caller.user, groups: caller.groups },
      { resourceAttributes: { group: GROUP, version: 'v1beta1', resource: access.resource, verb: access.verb, ...(access.namespace ? { namespace: access.namespace } : {}), ...(access.name ? { name: access.name } : {}) } },
    );
  }
}
