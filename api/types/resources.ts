// The object type served at each resource path that components read or write, so an informer
// or a client call on a known path is typed without restating it.
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from './apps.js';
import type { CronJob, Job } from './batch.js';
import type { Lease } from './coordination.js';
import type { ConfigMap, Endpoints, Event, Namespace, Node, ReplicationController, Secret, Service } from './core.js';
import type { CertificateSigningRequest } from './certificates.js';
import type { EndpointSlice } from './discovery.js';
import type { Pod } from './pod.js';
import type { PodDisruptionBudget } from './policy.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from './storage.js';

export interface TypedResources {
  'v1/pods': Pod;
  'v1/nodes': Node;
  'v1/services': Service;
  'v1/endpoints': Endpoints;
  'v1/namespaces': Namespace;
  'v1/configmaps': ConfigMap;
  'v1/secrets': Secret;
  'v1/events': Event;
  'v1/replicationcontrollers': ReplicationController;
  'v1/persistentvolumes': PersistentVolume;
  'v1/persistentvolumeclaims': PersistentVolumeClaim;
  'storage.k8s.io/v1/storageclasses': StorageClass;
  'apps/v1/deployments': Deployment;
  'apps/v1/replicasets': ReplicaSet;
  'apps/v1/daemonsets': DaemonSet;
  'apps/v1/statefulsets': StatefulSet;
  'apps/v1/controllerrevisions': ControllerRevision;
  'batch/v1/jobs': Job;
  'policy/v1/poddisruptionbudgets': PodDisruptionBudget;
  'batch/v1/cronjobs': CronJob;
  'discovery.k8s.io/v1/endpointslices': EndpointSlice;
  'coordination.k8s.io/v1/leases': Lease;
  'certificates.k8s.io/v1/certificatesigningrequests': CertificateSigningRequest;
}
