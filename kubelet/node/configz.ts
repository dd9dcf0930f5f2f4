// The kubelet's configuration as /configz serves it (Kubernetes' KubeletConfiguration,
// kubelet.config.k8s.io/v1beta1, under "kubeletconfig"): what this kubelet was started with, in
// the configuration file's field names, for tools that read a node's settings through the API
// (`kubectl get --raw /api/v1/nodes/<node>/proxy/configz`, CIS benchmark checkers).
import { formatGoDuration } from '../../api/go-duration.js';

export interface KubeletFlags {
  address: string;
  port: number;
  'healthz-port': number;
  'healthz-bind-address': string;
  'client-ca-file'?: string;
  'tls-cert-file'?: string;
  'tls-private-key-file'?: string;
  'anonymous-auth': boolean;
  'authentication-token-webhook': boolean;
  'authorization-mode': string;
  'rotate-certificates': boolean;
  'rotate-server-certificates': boolean;
  'cluster-dns': readonly string[];
  'cluster-domain': string;
  'max-pods': number;
  'node-status-update-frequency': number;
  'node-lease-duration-seconds': number;
  'allowed-unsafe-sysctls': readonly string[];
  'docker-endpoint': string;
  'pod-infra-container-image': string;
  'eviction-hard': string;
  'eviction-soft': string;
  'eviction-soft-grace-period': string;
  'eviction-minimum-reclaim': string;
  'eviction-pressure-transition-period': number;
  'eviction-max-pod-grace-period': number;
}

/** "a<b,c<d" (or "a=b,...") as the configuration file's map. */
function pairs(spec: string, separator: '<' | '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const at = part.indexOf(separator);
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

export function kubeletConfiguration(f: KubeletFlags, systemReserved: Record<string, string>, registerWithTaints: unknown[]): Record<string, unknown> {
  return {
    kind: 'KubeletConfiguration',
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    enableServer: true,
    address: f.address,
    port: f.port,
    readOnlyPort: 0,
    ...(f['tls-cert-file'] ? { tlsCertFile: f['tls-cert-file'], tlsPrivateKeyFile: f['tls-private-key-file'] } : {}),
    rotateCertificates: f['rotate-certificates'],
    serverTLSBootstrap: f['rotate-server-certificates'],
    authentication: {
      x509: f['client-ca-file'] ? { clientCAFile: f['client-ca-file'] } : {},
      webhook: { enabled: f['authentication-token-webhook'], cacheTTL: '2m0s' },
      anonymous: { enabled: f['anonymous-auth'] },
    },
    authorization: { mode: f['authorization-mode'], webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
    healthzPort: f['healthz-port'],
    healthzBindAddress: f['healthz-bind-address'],
    clusterDomain: f['cluster-domain'],
    clusterDNS: [...f['cluster-dns']],
    nodeStatusUpdateFrequency: formatGoDuration(f['node-status-update-frequency']),
    nodeStatusReportFrequency: '5m0s',
    nodeLeaseDurationSeconds: f['node-lease-duration-seconds'],
    maxPods: f['max-pods'],
    systemReserved,
    allowedUnsafeSysctls: [...f['allowed-unsafe-sysctls']],
    evictionHard: pairs(f['eviction-hard'], '<'),
    evictionSoft: pairs(f['eviction-soft'], '<'),
    evictionSoftGracePeriod: pairs(f['eviction-soft-grace-period'], '='),
    evictionMinimumReclaim: pairs(f['eviction-minimum-reclaim'], '='),
    evictionPressureTransitionPeriod: formatGoDuration(f['eviction-pressure-transition-period']),
    evictionMaxPodGracePeriod: f['eviction-max-pod-grace-period'],
    registerNode: true,
    registerWithTaints,
    containerRuntimeEndpoint: f['docker-endpoint'],
    podInfraContainerImage: f['pod-infra-container-image'],
    failSwapOn: true,
    cgroupDriver: 'cgroupfs',
  };
}
