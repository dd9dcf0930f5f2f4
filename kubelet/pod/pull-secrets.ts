// A pod's image pull secrets as the kubelet reads them for a pull: each one named in
// spec.imagePullSecrets (the ServiceAccount admission plugin adds the account's) that the
// apiserver gives it, and the names of those it could not read (missing, not allowed, or the
// apiserver unreachable), which Kubernetes' kubelet reports and then pulls without.
import type { Secret } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/api-client.js';
import { resource } from '../../client/rest.js';

const secrets = resource('v1/secrets');

export async function pullSecretsOf(client: ApiClient, pod: Pod): Promise<{ secrets: Secret[]; missing: string[] }> {
  const names = [...new Set((pod.spec.imagePullSecrets ?? []).map((s) => s?.name).filter((n): n is string => !!n))];
  const found = await Promise.all(
    names.map(async (name) => {
      try {
        return await client.get<Secret>(secrets, pod.metadata.namespace, name);
      } catch {
        return undefined;
      }
    }),
  );
  return { secrets: found.filter((s): s is Secret => !!s), missing: names.filter((_, i) => !found[i]) };
}
