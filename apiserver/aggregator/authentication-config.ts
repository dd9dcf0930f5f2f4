// kube-system/extension-apiserver-authentication, as kube-apiserver keeps it: how aggregated
// servers authenticate clients (client-ca-file) and this server's front proxy (requestheader-*).
import { StatusError } from '../../api/status.js';
import type { Registry } from '../registry/registry.js';
import type { FrontProxyOptions } from './proxy.js';

/** Writes the ConfigMap at every start (created if missing). */
export async function publishAuthenticationConfig(registry: Registry, opts: { clientCaPem?: string; frontProxy?: FrontProxyOptions }): Promise<void> {
  const data: Record<string, string> = {};
  if (opts.clientCaPem) data['client-ca-file'] = opts.clientCaPem;
  const fp = opts.frontProxy;
  if (fp?.requestHeaderCaPem) {
    data['requestheader-client-ca-file'] = fp.requestHeaderCaPem;
    data['requestheader-allowed-names'] = JSON.stringify(fp.allowedNames);
    data['requestheader-username-headers'] = JSON.stringify(fp.usernameHeaders);
    data['requestheader-group-headers'] = JSON.stringify(fp.groupHeaders);
    data['requestheader-extra-headers-prefix'] = JSON.stringify(fp.extraHeadersPrefix);
  }
  if (!Object.keys(data).length) return;
  const store = registry.storeFor(registry.table.find('', 'v1', 'configmaps')!);
  const tracking = { manager: 'kube-apiserver', apiVersion: 'v1' };
  await store.update('kube-system', 'extension-apiserver-authentication', {
    dryRun: false,
    tracking,
    mutate: (current) => ({ ...current, data }),
    createFrom: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' }, data }),
  }).catch(async (err) => {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
    await store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' }, data }, false, tracking).catch((e) => {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    });
  });
}
