// Every controller this manager can run, by the names --controllers takes (Kubernetes' names).
import type { Controller, ControllerContext } from '../framework/controller.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.js';
import { CSRApprovingController } from './csr-approving.js';
import { CSRSigningController } from './csr-signing.js';
import { DaemonSetController } from './daemonset.js';
import { DisruptionController } from './disruption.js';
import { StatefulSetController } from './statefulset.js';
import { DeploymentController } from './deployment/deployment.js';
import { EndpointsController } from './endpoints.js';
import { EndpointSliceController } from './endpointslice.js';
import { EndpointSliceMirroringController } from './endpointslice-mirroring.js';
import { GarbageCollector } from './garbage-collector.js';
import { JobController } from './job/job.js';
import { CronJobController } from './cronjob/cronjob.js';
import { TTLAfterFinishedController } from './ttl-after-finished.js';
import { HorizontalController } from './podautoscaler/horizontal.js';
import { ResourceQuotaController } from './resource-quota.js';
import { NamespaceController } from './namespace.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { PodGCController } from './podgc.js';
import { VolumeBinder } from './volume/binder.js';
import { VolumeExpander } from './volume/expander.js';
import { StorageProtectionController } from './volume/protection.js';
import { EphemeralVolumeController } from './volume/ephemeral.js';
import { REPLICA_SET, REPLICATION_CONTROLLER, ReplicaController } from './replicaset.js';
import { RootCAPublisher } from './root-ca-publisher.js';
import { BootstrapSigner } from './bootstrap-signer.js';
import { TokenCleaner } from './token-cleaner.js';
import { ServiceAccountController } from './serviceaccount.js';
import { ServiceAccountTokenController } from './serviceaccount-token.js';
import { ServiceLBController } from './servicelb.js';
import { ValidatingAdmissionPolicyStatusController } from './validating-admission-policy-status.js';

/**
 * The controllers a joining kubelet waits on (its client certificate): made, and their
 * informers listed, before the others are made, so that on a cold start their few lists are
 * not queued behind forty others (every component lists at once then).
 */
export const NODE_JOINING = new Set(['csrapproving', 'csrsigning']);

/** Controllers "*" leaves out, as Kubernetes does: named explicitly, they run (kubeadm names both). */
export const DISABLED_BY_DEFAULT = new Set(['bootstrapsigner', 'tokencleaner']);

/** Controllers left out, as Kubernetes leaves them, when no service-account private key is given. */
export const NEEDS_SERVICE_ACCOUNT_KEY = new Set(['serviceaccount-token']);

// In the order they are made, and their informers listed.
export const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  csrapproving: (ctx) => new CSRApprovingController(ctx),
  csrsigning: (ctx) => new CSRSigningController(ctx, ctx.options.signingCA, ctx.options.signingDurationSeconds ?? 365 * 86400),
  deployment: (ctx) => new DeploymentController(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  replicaset: (ctx) => new ReplicaController(ctx, REPLICA_SET),
  replicationcontroller: (ctx) => new ReplicaController(ctx, REPLICATION_CONTROLLER),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  job: (ctx) => new JobController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  ttlafterfinished: (ctx) => new TTLAfterFinishedController(ctx),
  horizontalpodautoscaling: (ctx) => new HorizontalController(ctx),
  resourcequota: (ctx) => new ResourceQuotaController(ctx),
  namespace: (ctx) => new NamespaceController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx),
  'persistentvolume-binder': (ctx) => new VolumeBinder(ctx, ctx.options.localPathRoot ?? '/var/lib/kubette/local-path'),
  'persistentvolume-expander': (ctx) => new VolumeExpander(ctx),
  'storage-protection': (ctx) => new StorageProtectionController(ctx),
  'ephemeral-volume': (ctx) => new EphemeralVolumeController(ctx),
  podgc: (ctx) => new PodGCController(ctx, ctx.options.terminatedPodGCThreshold ?? 12500),
  endpoint: (ctx) => new EndpointsController(ctx),
  endpointslice: (ctx) => new EndpointSliceController(ctx),
  endpointslicemirroring: (ctx) => new EndpointSliceMirroringController(ctx),
  serviceaccount: (ctx) => new ServiceAccountController(ctx),
  // Made only with --service-account-private-key-file (see NEEDS_SERVICE_ACCOUNT_KEY).
  'serviceaccount-token': (ctx) => new ServiceAccountTokenController(ctx, ctx.options.serviceAccountTokenSigner!, ctx.options.rootCA ?? ''),
  servicelb: (ctx) => new ServiceLBController(ctx),
  clusterroleaggregation: (ctx) => new ClusterRoleAggregationController(ctx),
  'root-ca-cert-publisher': (ctx) => new RootCAPublisher(ctx, ctx.options.rootCA ?? ''),
  'validatingadmissionpolicy-status': (ctx) => new ValidatingAdmissionPolicyStatusController(ctx),
  bootstrapsigner: (ctx) => new BootstrapSigner(ctx),
  tokencleaner: (ctx) => new TokenCleaner(ctx),
};

/**
 * The event source each controller writes as (`kubectl describe`'s "From"): kube-controller-manager
 * gives each controller a recorder of its own name. Controllers that record no events are not listed.
 */
export const EVENT_SOURCES: Record<string, string> = {
  deployment: 'deployment-controller',
  daemonset: 'daemonset-controller',
  disruption: 'controllermanager',
  statefulset: 'statefulset-controller',
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  garbagecollector: 'garbage-collector-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  nodelifecycle: 'node-controller',
  'persistentvolume-binder': 'persistentvolume-controller',
  'persistentvolume-expander': 'volume_expand',
  endpoint: 'endpoint-controller',
  endpointslice: 'endpoint-slice-controller',
};

/** Resolves --controllers: "*" is all, "-name" removes one, "name" adds one. */
export function selectControllers(spec: string): string[] {
  const names = Object.keys(CONTROLLERS);
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = new Set<string>();
  for (const item of items) {
    if (item === '*') names.filter((n) => !DISABLED_BY_DEFAULT.has(n)).forEach((n) => chosen.add(n));
    else if (item.startsWith('-')) chosen.delete(item.slice(1));
    else if (names.includes(item)) chosen.add(item);
    else throw new Error(`unknown controller "${item}"; known: ${names.join(', ')}`);
  }
  // "-name" anywhere wins over "*", whatever the order.
  for (const item of items) if (item.startsWith('-')) chosen.delete(item.slice(1));
  return [...chosen];
}
