// The apiserver connections a component's secure port asks over: TokenReviews over
// --authentication-kubeconfig, SubjectAccessReviews over --authorization-kubeconfig, each the
// component's own connection when not given, and the client CA lookup over its own.
import type { ApiClient } from './api-client.js';
import { loadClientConfig } from './kubeconfig.js';
import { RestClient } from './rest.js';

export interface DelegationClients {
  clientCA: ApiClient;
  authentication: ApiClient;
  authorization: ApiClient;
  /** Closes the connections made here (not the component's own). */
  close(): Promise<void>;
}

export function delegationClients(own: ApiClient, kubeconfigs: { authentication?: string; authorization?: string }, userAgent: string): DelegationClients {
  const made: RestClient[] = [];
  const from = (kubeconfig: string | undefined): ApiClient => {
    if (!kubeconfig) return own;
    const c = new RestClient(loadClientConfig({ kubeconfig, userAgent }));
    made.push(c);
    return c;
  };
  return {
    clientCA: own,
    authentication: from(kubeconfigs.authentication),
    authorization: from(kubeconfigs.authorization),
    close: async () => void (await Promise.all(made.map((c) => c.close()))),
  };
}
