// Every served kind, one line each, in the order discovery lists them. Adding a kind: write
// its module (api/kinds/<group>/<kind>.ts; api/kinds/core/limitrange.ts is the smallest
// example) and add it here.
import { controllerRevision } from './apps/controllerrevision.js';
import { daemonSet } from './apps/daemonset.js';
import { deployment } from './apps/deployment.js';
import { replicaSet } from './apps/replicaset.js';
import { statefulSet } from './apps/statefulset.js';
import { horizontalPodAutoscaler } from './autoscaling/horizontalpodautoscaler.js';
import { horizontalPodAutoscalerV1 } from './autoscaling/horizontalpodautoscaler-v1.js';
import { cronJob } from './batch/cronjob.js';
import { job } from './batch/job.js';
import { selfSubjectReview } from './authentication/selfsubjectreview.js';
import { tokenReview } from './authentication/tokenreview.js';
import { selfSubjectAccessReview } from './authorization/selfsubjectaccessreview.js';
import { selfSubjectRulesReview } from './authorization/selfsubjectrulesreview.js';
import { localSubjectAccessReview, subjectAccessReview } from './authorization/subjectaccessreview.js';
import { certificateSigningRequest } from './certificates/certificatesigningrequest.js';
import { lease } from './coordination/lease.js';
import { binding } from './core/binding.js';
import { componentStatus } from './core/componentstatus.js';
import { configMap } from './core/configmap.js';
import { endpoints } from './core/endpoints.js';
import { event } from './core/event.js';
import { limitRange } from './core/limitrange.js';
import { namespace } from './core/namespace.js';
import { node } from './core/node.js';
import { persistentVolume } from './core/persistentvolume.js';
import { persistentVolumeClaim } from './core/persistentvolumeclaim.js';
import { pod } from './core/pod.js';
import { podTemplate } from './core/podtemplate.js';
import { replicationController } from './core/replicationcontroller.js';
import { resourceQuota } from './core/resourcequota.js';
import { secret } from './core/secret.js';
import { service } from './core/service.js';
import { serviceAccount } from './core/serviceaccount.js';
import { customResourceDefinition } from './apiextensions/customresourcedefinition.js';
import { apiService } from './apiregistration/apiservice.js';
import { validatingAdmissionPolicy, validatingAdmissionPolicyBinding } from './admissionregistration/validating-admission-policy.js';
import { mutatingWebhookConfiguration, validatingWebhookConfiguration } from './admissionregistration/webhook-configuration.js';
import { endpointSlice } from './discovery/endpointslice.js';
import { eventV1 } from './events/event.js';
import type { KindModule } from './kind.js';
import { completedFromProtobuf } from '../schema/from-protobuf.js';
import { ingress } from './networking/ingress.js';
import { ingressClass } from './networking/ingressclass.js';
import { networkPolicy } from './networking/networkpolicy.js';
import { runtimeClass } from './node/runtimeclass.js';
import { podDisruptionBudget } from './policy/poddisruptionbudget.js';
import { clusterRole } from './rbac/clusterrole.js';
import { clusterRoleBinding } from './rbac/clusterrolebinding.js';
import { role } from './rbac/role.js';
import { roleBinding } from './rbac/rolebinding.js';
import { priorityClass } from './scheduling/priorityclass.js';
import { flowSchema } from './flowcontrol/flowschema.js';
import { priorityLevelConfiguration } from './flowcontrol/prioritylevelconfiguration.js';
import { storageClass } from './storage/storageclass.js';
import { csiDriver } from './storage/csidriver.js';
import { csiNode } from './storage/csinode.js';
import { csiStorageCapacity } from './storage/csistoragecapacity.js';
import { volumeAttachment } from './storage/volumeattachment.js';

/** A module whose hand-written schema left parts open gets them filled in from Kubernetes' shape. */
function described(k: KindModule): KindModule {
  return k.schema ? { ...k, schema: completedFromProtobuf(k.schema, k.group ? `${k.group}/${k.version}` : k.version, k.kind) } : k;
}

export const kinds: readonly KindModule[] = [
  binding,
  componentStatus,
  configMap,
  endpoints,
  event,
  limitRange,
  namespace,
  node,
  persistentVolumeClaim,
  persistentVolume,
  pod,
  podTemplate,
  replicationController,
  resourceQuota,
  secret,
  serviceAccount,
  service,
  controllerRevision,
  daemonSet,
  deployment,
  replicaSet,
  statefulSet,
  selfSubjectReview,
  tokenReview,
  localSubjectAccessReview,
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  subjectAccessReview,
  horizontalPodAutoscaler,
  horizontalPodAutoscalerV1,
  cronJob,
  job,
  certificateSigningRequest,
  lease,
  endpointSlice,
  eventV1,
  ingressClass,
  ingress,
  networkPolicy,
  runtimeClass,
  podDisruptionBudget,
  clusterRoleBinding,
  clusterRole,
  roleBinding,
  role,
  priorityClass,
  flowSchema,
  priorityLevelConfiguration,
  storageClass,
  csiDriver,
  csiNode,
  csiStorageCapacity,
  volumeAttachment,
  customResourceDefinition,
  apiService,
  mutatingWebhookConfiguration,
  validatingWebhookConfiguration,
  validatingAdmissionPolicy,
  validatingAdmissionPolicyBinding,
].map(described);
