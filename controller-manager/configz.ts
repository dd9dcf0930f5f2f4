// The controller-manager's configuration as /configz serves it: Kubernetes'
// KubeControllerManagerConfiguration under "componentconfig", in the shape kube-controller-manager
// writes it (its internal type's Go field names, durations as Go prints them), holding the
// settings this controller-manager has: the generic ones and one section per controller it
// runs settings for. Tools read it to audit a cluster's settings (CIS benchmark checkers).
import { formatGoDuration } from '../api/go-duration.js';

export interface ControllerManagerSettings {
  'bind-address': string;
  'secure-port': number;
  kubeconfig?: string;
  'leader-elect': boolean;
  'leader-elect-lease-duration': number;
  'leader-elect-renew-deadline': number;
  'leader-elect-retry-period': number;
  controllers: string[];
  'node-monitor-grace-period': number;
  'node-monitor-period': number;
  'concurrent-deployment-syncs': number;
  'concurrent-replicaset-syncs': number;
  'concurrent-gc-syncs': number;
  'concurrent-namespace-syncs': number;
  'concurrent-endpoint-syncs': number;
  'concurrent-service-endpoint-syncs': number;
  'concurrent-job-syncs': number;
  'concurrent-cron-job-syncs': number;
  'concurrent-ttl-after-finished-syncs': number;
  'concurrent-horizontal-pod-autoscaler-syncs': number;
  'resource-quota-sync-period': number;
  'concurrent-resource-quota-syncs': number;
  'horizontal-pod-autoscaler-sync-period': number;
  'horizontal-pod-autoscaler-downscale-stabilization': number;
  'horizontal-pod-autoscaler-tolerance': number;
  'horizontal-pod-autoscaler-cpu-initialization-period': number;
  'horizontal-pod-autoscaler-initial-readiness-delay': number;
  'cluster-signing-cert-file'?: string;
  'cluster-signing-key-file'?: string;
  'cluster-signing-duration': number;
  'terminated-pod-gc-threshold': number;
  'service-account-private-key-file'?: string;
  'concurrent-serviceaccount-token-syncs': number;
  'concurrent-ephemeralvolume-syncs': number;
  'mirroring-concurrent-service-endpoint-syncs': number;
  'root-ca-file'?: string;
}

const d = formatGoDuration;

export function controllerManagerConfiguration(f: ControllerManagerSettings): Record<string, unknown> {
  return {
    Generic: {
      Port: f['secure-port'],
      Address: f['bind-address'],
      MinResyncPeriod: '12h0m0s',
      ClientConnection: { Kubeconfig: f.kubeconfig ?? '', AcceptContentTypes: '', ContentType: 'application/json', QPS: 20, Burst: 30 },
      ControllerStartInterval: '0s',
      LeaderElection: {
        LeaderElect: f['leader-elect'],
        LeaseDuration: d(f['leader-elect-lease-duration']),
        RenewDeadline: d(f['leader-elect-renew-deadline']),
        RetryPeriod: d(f['leader-elect-retry-period']),
        ResourceLock: 'leases',
        ResourceName: 'kube-controller-manager',
        ResourceNamespace: 'kube-system',
      },
      Controllers: f.controllers,
    },
    KubeCloudShared: { NodeMonitorPeriod: d(f['node-monitor-period']) },
    CSRSigningController: {
      ClusterSigningCertFile: f['cluster-signing-cert-file'] ?? '',
      ClusterSigningKeyFile: f['cluster-signing-key-file'] ?? '',
      ClusterSigningDuration: d(f['cluster-signing-duration']),
    },
    CronJobController: { ConcurrentCronJobSyncs: f['concurrent-cron-job-syncs'] },
    DeploymentController: { ConcurrentDeploymentSyncs: f['concurrent-deployment-syncs'] },
    EndpointController: { ConcurrentEndpointSyncs: f['concurrent-endpoint-syncs'] },
    EndpointSliceController: { ConcurrentServiceEndpointSyncs: f['concurrent-service-endpoint-syncs'], MaxEndpointsPerSlice: 100 },
    EndpointSliceMirroringController: { MirroringConcurrentServiceEndpointSyncs: f['mirroring-concurrent-service-endpoint-syncs'], MirroringMaxEndpointsPerSubset: 1000 },
    EphemeralVolumeController: { ConcurrentEphemeralVolumeSyncs: f['concurrent-ephemeralvolume-syncs'] },
    GarbageCollectorController: { EnableGarbageCollector: true, ConcurrentGCSyncs: f['concurrent-gc-syncs'] },
    HPAController: {
      ConcurrentHorizontalPodAutoscalerSyncs: f['concurrent-horizontal-pod-autoscaler-syncs'],
      HorizontalPodAutoscalerSyncPeriod: d(f['horizontal-pod-autoscaler-sync-period']),
      HorizontalPodAutoscalerDownscaleStabilizationWindow: d(f['horizontal-pod-autoscaler-downscale-stabilization']),
      HorizontalPodAutoscalerTolerance: f['horizontal-pod-autoscaler-tolerance'],
      HorizontalPodAutoscalerCPUInitializationPeriod: d(f['horizontal-pod-autoscaler-cpu-initialization-period']),
      HorizontalPodAutoscalerInitialReadinessDelay: d(f['horizontal-pod-autoscaler-initial-readiness-delay']),
    },
    JobController: { ConcurrentJobSyncs: f['concurrent-job-syncs'] },
    NamespaceController: { NamespaceSyncPeriod: '5m0s', ConcurrentNamespaceSyncs: f['concurrent-namespace-syncs'] },
    NodeLifecycleController: { NodeMonitorGracePeriod: d(f['node-monitor-grace-period']) },
    PodGCController: { TerminatedPodGCThreshold: f['terminated-pod-gc-threshold'] },
    ReplicaSetController: { ConcurrentRSSyncs: f['concurrent-replicaset-syncs'] },
    ReplicationController: { ConcurrentRCSyncs: f['concurrent-replicaset-syncs'] },
    ResourceQuotaController: { ResourceQuotaSyncPeriod: d(f['resource-quota-sync-period']), ConcurrentResourceQuotaSyncs: f['concurrent-resource-quota-syncs'] },
    SAController: { ServiceAccountKeyFile: f['service-account-private-key-file'] ?? '', ConcurrentSATokenSyncs: f['concurrent-serviceaccount-token-syncs'], RootCAFile: f['root-ca-file'] ?? '' },
    TTLAfterFinishedController: { ConcurrentTTLSyncs: f['concurrent-ttl-after-finished-syncs'] },
  };
}
