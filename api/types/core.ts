// core/v1 kinds other than Pod, with the fields components read or write.
import type { Condition, KubeObject, ObjectReference } from './meta.js';
import type { ReplicaSetStatus } from './apps.js';
import type { PodTemplateSpec } from './pod.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface NodeSpec {
  taints?: Taint[];
  unschedulable?: boolean;
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
}

export interface NodeAddress {
  type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface NodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: Condition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: Record<string, string>;
  images?: Array<{ names: string[]; sizeBytes?: number }>;
}

export type Node = KubeObject<NodeSpec, NodeStatus>;

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface ServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  externalName?: string;
  sessionAffinity?: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> };
}

export type Service = KubeObject<ServiceSpec, ServiceStatus>;

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Endpoints has no spec: its subsets sit at the top level. */
export interface Endpoints extends KubeObject<never, never> {
  subsets?: EndpointSubset[];
}

export type Namespace = KubeObject<{ finalizers?: string[] }, { phase?: 'Active' | 'Terminating'; conditions?: Condition[] }>;

export interface ConfigMap extends KubeObject<never, never> {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Secret extends KubeObject<never, never> {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

export interface Event extends KubeObject<never, never> {
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  type?: 'Normal' | 'Warning';
  source?: { component?: string; host?: string };
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string | null;
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
}

export interface ReplicationControllerSpec {
  replicas?: number;
  /** A plain label map (not a LabelSelector); empty selects nothing. */
  selector?: Record<string, string>;
  template?: PodTemplateSpec;
  minReadySeconds?: number;
}

/** The same counts as a ReplicaSet's. */
export type ReplicationControllerStatus = ReplicaSetStatus;

export type ReplicationController = KubeObject<ReplicationControllerSpec, ReplicationControllerStatus>;
