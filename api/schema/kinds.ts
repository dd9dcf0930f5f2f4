// The schema of every served kind, keyed by `<groupVersion>/<Kind>`. Kinds described only at
// the top level accept any content below it.
import { any, bool, bytes, int, int32, intOrString, list, map, obj, open, quantities, str, stringMap, strings, time, type Schema } from './dsl.js';
import { conditions, kind, labelSelector, localObjectReference, objectMeta, objectReference } from './meta.js';
import { podSpec, podStatus, podTemplateSpec } from './pod.js';

const workloadStatus = open({
  conditions,
  replicas: int32,
  readyReplicas: int32,
  availableReplicas: int32,
  updatedReplicas: int32,
  unavailableReplicas: int32,
  fullyLabeledReplicas: int32,
  terminatingReplicas: int32,
  observedGeneration: int,
  collisionCount: int32,
});
const rollingUpdate = obj({ maxUnavailable: intOrString, maxSurge: intOrString });

const jobSpec = open({
  template: podTemplateSpec,
  selector: labelSelector,
  parallelism: int32,
  completions: int32,
  backoffLimit: int32,
  backoffLimitPerIndex: int32,
  maxFailedIndexes: int32,
  activeDeadlineSeconds: int,
  ttlSecondsAfterFinished: int32,
});

const endpointAddress = obj({ ip: str, hostname: str, nodeName: str, targetRef: objectReference });
const endpointPort = obj({ name: str, port: int32, protocol: str, appProtocol: str });
const endpointSubset = obj({ addresses: list(endpointAddress), notReadyAddresses: list(endpointAddress), ports: list(endpointPort) });

const sliceEndpoint = obj({
  addresses: strings,
  conditions: obj({ ready: bool, serving: bool, terminating: bool }),
  hostname: str,
  targetRef: objectReference,
  deprecatedTopology: stringMap,
  nodeName: str,
  zone: str,
  hints: obj({ forZones: list(obj({ name: str })), forNodes: list(obj({ name: str })) }),
});

const policyRule = obj({ verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings });
const subject = obj({ kind: str, apiGroup: str, name: str, namespace: str });
const roleRef = obj({ apiGroup: str, kind: str, name: str });

const eventSource = obj({ component: str, host: str });
const eventSeries = obj({ count: int32, lastObservedTime: time });

const serviceSpec = obj({
  ports: list(obj({ name: str, protocol: str, appProtocol: str, port: int32, targetPort: intOrString, nodePort: int32 }), 'port'),
  selector: stringMap,
  clusterIP: str,
  clusterIPs: strings,
  type: str,
  externalIPs: strings,
  sessionAffinity: str,
  loadBalancerIP: str,
  loadBalancerSourceRanges: strings,
  externalName: str,
  externalTrafficPolicy: str,
  healthCheckNodePort: int32,
  publishNotReadyAddresses: bool,
  sessionAffinityConfig: open(),
  ipFamilies: strings,
  ipFamilyPolicy: str,
  allocateLoadBalancerNodePorts: bool,
  loadBalancerClass: str,
  internalTrafficPolicy: str,
  trafficDistribution: str,
});

/** A kind whose content is not described: every field is accepted. */
const loose: Schema = obj({ apiVersion: str, kind: str, metadata: objectMeta }, { open: true });
const specStatus = kind({ spec: any, status: any });

export const schemas: Record<string, Schema> = {
  'v1/Pod': kind({ spec: podSpec, status: podStatus }),
  'v1/PodTemplate': kind({ template: podTemplateSpec }),
  'v1/ReplicationController': kind({
    spec: obj({ replicas: int32, minReadySeconds: int32, selector: stringMap, template: podTemplateSpec }),
    status: workloadStatus,
  }),
  'v1/Service': kind({ spec: serviceSpec, status: open({ conditions }) }),
  'v1/Endpoints': kind({ subsets: list(endpointSubset) }),
  'v1/ConfigMap': kind({ data: stringMap, binaryData: map(bytes), immutable: bool }),
  'v1/Secret': kind({ data: map(bytes), stringData: stringMap, type: str, immutable: bool }),
  'v1/Namespace': kind({ spec: obj({ finalizers: strings }), status: open({ conditions }) }),
  'v1/Node': kind({
    spec: obj({
      podCIDR: str,
      podCIDRs: strings,
      providerID: str,
      unschedulable: bool,
      taints: list(obj({ key: str, value: str, effect: str, timeAdded: time })),
      configSource: open(),
      externalID: str,
    }),
    status: open({ conditions, addresses: list(obj({ type: str, address: str }), 'type'), capacity: quantities, allocatable: quantities }),
  }),
  'v1/Event': kind({
    involvedObject: objectReference,
    reason: str,
    message: str,
    source: eventSource,
    firstTimestamp: time,
    lastTimestamp: time,
    count: int32,
    type: str,
    eventTime: time,
    series: eventSeries,
    action: str,
    related: objectReference,
    reportingComponent: str,
    reportingInstance: str,
  }),
  'events.k8s.io/v1/Event': kind({
    eventTime: time,
    series: eventSeries,
    reportingController: str,
    reportingInstance: str,
    action: str,
    reason: str,
    regarding: objectReference,
    related: objectReference,
    note: str,
    type: str,
    deprecatedSource: eventSource,
    deprecatedFirstTimestamp: time,
    deprecatedLastTimestamp: time,
    deprecatedCount: int32,
  }),
  'v1/ServiceAccount': kind({
    secrets: list(objectReference, 'name'),
    imagePullSecrets: list(localObjectReference),
    automountServiceAccountToken: bool,
  }),
  'v1/Binding': kind({ target: objectReference }),
  'v1/PersistentVolumeClaim': specStatus,
  'v1/PersistentVolume': specStatus,
  'v1/LimitRange': specStatus,
  'v1/ResourceQuota': specStatus,
  'apps/v1/Deployment': kind({
    spec: obj({
      replicas: int32,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: obj({ type: str, rollingUpdate }),
      minReadySeconds: int32,
      revisionHistoryLimit: int32,
      paused: bool,
      progressDeadlineSeconds: int32,
    }),
    status: workloadStatus,
  }),
  'apps/v1/ReplicaSet': kind({
    spec: obj({ replicas: int32, minReadySeconds: int32, selector: labelSelector, template: podTemplateSpec }),
    status: workloadStatus,
  }),
  'apps/v1/StatefulSet': kind({
    spec: open({ replicas: int32, minReadySeconds: int32, revisionHistoryLimit: int32, selector: labelSelector, template: podTemplateSpec, serviceName: str, volumeClaimTemplates: list(any) }),
    status: workloadStatus,
  }),
  'apps/v1/DaemonSet': kind({
    spec: open({ selector: labelSelector, template: podTemplateSpec, updateStrategy: obj({ type: str, rollingUpdate }) }),
    status: workloadStatus,
  }),
  'apps/v1/ControllerRevision': kind({ data: any, revision: int }),
  'batch/v1/Job': kind({ spec: jobSpec, status: open({ conditions }) }),
  'batch/v1/CronJob': kind({ spec: open({ jobTemplate: obj({ metadata: objectMeta, spec: jobSpec }) }), status: open() }),
  'autoscaling/v1/HorizontalPodAutoscaler': specStatus,
  'autoscaling/v2/HorizontalPodAutoscaler': specStatus,
  'autoscaling/v1/Scale': kind({ spec: obj({ replicas: int32 }), status: obj({ replicas: int32, selector: str }) }),
  'coordination.k8s.io/v1/Lease': kind({
    spec: obj({
      holderIdentity: str,
      leaseDurationSeconds: int32,
      acquireTime: time,
      renewTime: time,
      leaseTransitions: int32,
      strategy: str,
      preferredHolder: str,
    }),
  }),
  'discovery.k8s.io/v1/EndpointSlice': kind({ addressType: str, endpoints: list(sliceEndpoint), ports: list(endpointPort) }),
  'networking.k8s.io/v1/Ingress': specStatus,
  'networking.k8s.io/v1/IngressClass': specStatus,
  'networking.k8s.io/v1/NetworkPolicy': specStatus,
  'policy/v1/PodDisruptionBudget': specStatus,
  'policy/v1/Eviction': kind({ deleteOptions: any }),
  'rbac.authorization.k8s.io/v1/Role': kind({ rules: list(policyRule) }),
  'rbac.authorization.k8s.io/v1/ClusterRole': kind({ rules: list(policyRule), aggregationRule: obj({ clusterRoleSelectors: list(labelSelector) }) }),
  'rbac.authorization.k8s.io/v1/RoleBinding': kind({ subjects: list(subject), roleRef }),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': kind({ subjects: list(subject), roleRef }),
  'scheduling.k8s.io/v1/PriorityClass': loose,
  'storage.k8s.io/v1/StorageClass': loose,
};

export function schemaFor(apiVersion: string, kindName: string): Schema {
  return schemas[`${apiVersion}/${kindName}`] ?? loose;
}

