// Field numbers of the Kubernetes API messages that clients send as protobuf (kubectl's
// `create <kind>` generators use typed clients, which encode requests this way). Only the
// fields those requests carry are described; other fields are skipped when decoding.
//
// A field is [jsonName, type, flags]. `ptr` marks Go pointer fields, whose zero value was set
// on purpose and must be kept; other zero values are omitted as JSON's omitempty would.
// `inline` marks an embedded struct whose fields JSON writes into the parent (IngressRule's
// IngressRuleValue).

export type Scalar = 'string' | 'int' | 'bool' | 'bytes' | 'time' | 'intOrString' | 'quantity';
export type FieldType = Scalar | Message | { map: Scalar | Message };
export type Field = [name: string, type: FieldType, flags?: 'ptr' | 'repeated' | 'inline'];
export interface Message {
  [no: number]: Field;
}

const ptr = 'ptr' as const;
const repeated = 'repeated' as const;
const inline = 'inline' as const;
const stringMap = { map: 'string' as const };

/** runtime.TypeMeta, inside the runtime.Unknown envelope (typeMeta = 1, raw = 2). */
export const typeMeta: Message = { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] };

const ownerReference: Message = {
  1: ['kind', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['controller', 'bool', ptr],
  7: ['blockOwnerDeletion', 'bool', ptr],
};

const objectMeta: Message = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int'],
  8: ['creationTimestamp', 'time'],
  11: ['labels', stringMap],
  12: ['annotations', stringMap],
  13: ['ownerReferences', ownerReference, repeated],
  14: ['finalizers', 'string', repeated],
};

const labelSelector: Message = {
  1: ['matchLabels', stringMap],
  2: ['matchExpressions', { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', repeated] }, repeated],
};

const objectReference: Message = {
  1: ['kind', 'string'],
  2: ['namespace', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['fieldPath', 'string'],
};
const localObjectReference: Message = { 1: ['name', 'string'] };

const container: Message = {
  1: ['name', 'string'],
  2: ['image', 'string'],
  3: ['command', 'string', repeated],
  4: ['args', 'string', repeated],
  5: ['workingDir', 'string'],
  6: ['ports', { 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] }, repeated],
  7: ['env', { 1: ['name', 'string'], 2: ['value', 'string'] }, repeated],
  8: ['resources', { 1: ['limits', { map: 'quantity' }], 2: ['requests', { map: 'quantity' }] }],
  13: ['terminationMessagePath', 'string'],
  14: ['imagePullPolicy', 'string'],
  16: ['stdin', 'bool'],
  17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'],
  20: ['terminationMessagePolicy', 'string'],
};

const podSpec: Message = {
  2: ['containers', container, repeated],
  3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int', ptr],
  5: ['activeDeadlineSeconds', 'int', ptr],
  6: ['dnsPolicy', 'string'],
  7: ['nodeSelector', stringMap],
  8: ['serviceAccountName', 'string'],
  10: ['nodeName', 'string'],
  15: ['imagePullSecrets', localObjectReference, repeated],
  19: ['schedulerName', 'string'],
  20: ['initContainers', container, repeated],
  21: ['automountServiceAccountToken', 'bool', ptr],
  24: ['priorityClassName', 'string'],
  30: ['enableServiceLinks', 'bool', ptr],
};

const podTemplateSpec: Message = { 1: ['metadata', objectMeta], 2: ['spec', podSpec] };

const deploymentSpec: Message = {
  1: ['replicas', 'int', ptr],
  2: ['selector', labelSelector],
  3: ['template', podTemplateSpec],
  4: ['strategy', { 1: ['type', 'string'], 2: ['rollingUpdate', { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] }] }],
  5: ['minReadySeconds', 'int'],
  6: ['revisionHistoryLimit', 'int', ptr],
  7: ['paused', 'bool'],
  9: ['progressDeadlineSeconds', 'int', ptr],
};

const jobSpec: Message = {
  1: ['parallelism', 'int', ptr],
  2: ['completions', 'int', ptr],
  3: ['activeDeadlineSeconds', 'int', ptr],
  4: ['selector', labelSelector],
  5: ['manualSelector', 'bool', ptr],
  6: ['template', podTemplateSpec],
  7: ['backoffLimit', 'int', ptr],
  8: ['ttlSecondsAfterFinished', 'int', ptr],
  9: ['completionMode', 'string', ptr],
  10: ['suspend', 'bool', ptr],
};

const servicePort: Message = {
  1: ['name', 'string'],
  2: ['protocol', 'string'],
  3: ['port', 'int'],
  4: ['targetPort', 'intOrString'],
  5: ['nodePort', 'int'],
  6: ['appProtocol', 'string', ptr],
};

const policyRule: Message = {
  1: ['verbs', 'string', repeated],
  2: ['apiGroups', 'string', repeated],
  3: ['resources', 'string', repeated],
  4: ['resourceNames', 'string', repeated],
  5: ['nonResourceURLs', 'string', repeated],
};
const subject: Message = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const roleRef: Message = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };

const resourceAttributes: Message = {
  1: ['namespace', 'string'],
  2: ['verb', 'string'],
  3: ['group', 'string'],
  4: ['version', 'string'],
  5: ['resource', 'string'],
  6: ['subresource', 'string'],
  7: ['name', 'string'],
};
const nonResourceAttributes: Message = { 1: ['path', 'string'], 2: ['verb', 'string'] };
const subjectAccessReview: Message = {
  1: ['metadata', objectMeta],
  2: ['spec', { 1: ['resourceAttributes', resourceAttributes], 2: ['nonResourceAttributes', nonResourceAttributes], 3: ['user', 'string'], 4: ['groups', 'string', repeated], 6: ['uid', 'string'] }],
};

/** Top-level kinds by `<apiVersion>/<Kind>`. */
const ingressBackend: Message = {
  4: ['service', { 1: ['name', 'string'], 2: ['port', { 1: ['name', 'string'], 2: ['number', 'int'] }] }],
  3: ['resource', { 1: ['apiGroup', 'string', ptr], 2: ['kind', 'string'], 3: ['name', 'string'] }],
};
const ingressSpec: Message = {
  4: ['ingressClassName', 'string', ptr],
  1: ['defaultBackend', ingressBackend],
  2: ['tls', { 1: ['hosts', 'string', repeated], 2: ['secretName', 'string'] }, repeated],
  3: [
    'rules',
    {
      1: ['host', 'string'],
      2: ['ingressRuleValue', { 1: ['http', { 1: ['paths', { 1: ['path', 'string'], 3: ['pathType', 'string', ptr], 2: ['backend', ingressBackend] }, repeated] }] }, inline],
    },
    repeated,
  ],
};
const crossVersionObjectReference: Message = { 1: ['kind', 'string'], 2: ['name', 'string'], 3: ['apiVersion', 'string'] };
const metricTarget: Message = { 1: ['type', 'string'], 2: ['value', 'quantity', ptr], 3: ['averageValue', 'quantity', ptr], 4: ['averageUtilization', 'int', ptr] };
const hpaScalingRules: Message = {
  3: ['stabilizationWindowSeconds', 'int', ptr],
  1: ['selectPolicy', 'string', ptr],
  2: ['policies', { 1: ['type', 'string'], 2: ['value', 'int'], 3: ['periodSeconds', 'int'] }, repeated],
  4: ['tolerance', 'quantity', ptr],
};

export const kinds: Record<string, Message> = {
  'v1/ConfigMap': { 1: ['metadata', objectMeta], 2: ['data', stringMap], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool', ptr] },
  'v1/Secret': { 1: ['metadata', objectMeta], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', stringMap], 5: ['immutable', 'bool', ptr] },
  'v1/Namespace': { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['finalizers', 'string', repeated] }] },
  'v1/ServiceAccount': {
    1: ['metadata', objectMeta],
    2: ['secrets', objectReference, repeated],
    3: ['imagePullSecrets', localObjectReference, repeated],
    4: ['automountServiceAccountToken', 'bool', ptr],
  },
  'v1/Service': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['ports', servicePort, repeated],
        2: ['selector', stringMap],
        3: ['clusterIP', 'string'],
        4: ['type', 'string'],
        5: ['externalIPs', 'string', repeated],
        7: ['sessionAffinity', 'string'],
        10: ['externalName', 'string'],
        11: ['externalTrafficPolicy', 'string'],
        18: ['clusterIPs', 'string', repeated],
      },
    ],
  },
  'apps/v1/Deployment': { 1: ['metadata', objectMeta], 2: ['spec', deploymentSpec] },
  'batch/v1/Job': { 1: ['metadata', objectMeta], 2: ['spec', jobSpec] },
  'batch/v1/CronJob': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['schedule', 'string'],
        2: ['startingDeadlineSeconds', 'int', ptr],
        3: ['concurrencyPolicy', 'string'],
        4: ['suspend', 'bool', ptr],
        5: ['jobTemplate', { 1: ['metadata', objectMeta], 2: ['spec', jobSpec] }],
        6: ['successfulJobsHistoryLimit', 'int', ptr],
        7: ['failedJobsHistoryLimit', 'int', ptr],
        8: ['timeZone', 'string', ptr],
      },
    ],
  },
  // kubectl create ingress.
  'networking.k8s.io/v1/Ingress': { 1: ['metadata', objectMeta], 2: ['spec', ingressSpec] },
  // kubectl create priorityclass.
  'scheduling.k8s.io/v1/PriorityClass': {
    1: ['metadata', objectMeta],
    2: ['value', 'int'],
    3: ['globalDefault', 'bool'],
    4: ['description', 'string'],
    5: ['preemptionPolicy', 'string', ptr],
  },
  // kubectl create quota.
  'v1/ResourceQuota': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['hard', { map: 'quantity' }],
        2: ['scopes', 'string', repeated],
        3: ['scopeSelector', { 1: ['matchExpressions', { 1: ['scopeName', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', repeated] }, repeated] }],
      },
    ],
  },
  // kubectl autoscale.
  'autoscaling/v1/HorizontalPodAutoscaler': {
    1: ['metadata', objectMeta],
    2: ['spec', { 1: ['scaleTargetRef', crossVersionObjectReference], 2: ['minReplicas', 'int', ptr], 3: ['maxReplicas', 'int'], 4: ['targetCPUUtilizationPercentage', 'int', ptr] }],
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['scaleTargetRef', crossVersionObjectReference],
        2: ['minReplicas', 'int', ptr],
        3: ['maxReplicas', 'int'],
        4: ['metrics', { 1: ['type', 'string'], 4: ['resource', { 1: ['name', 'string'], 2: ['target', metricTarget] }], 7: ['containerResource', { 1: ['name', 'string'], 2: ['target', metricTarget], 3: ['container', 'string'] }] }, repeated],
        5: ['behavior', { 1: ['scaleUp', hpaScalingRules], 2: ['scaleDown', hpaScalingRules] }],
      },
    ],
  },
  // kubectl create pdb.
  'policy/v1/PodDisruptionBudget': {
    1: ['metadata', objectMeta],
    2: ['spec', { 1: ['minAvailable', 'intOrString', ptr], 2: ['selector', labelSelector], 3: ['maxUnavailable', 'intOrString', ptr], 4: ['unhealthyPodEvictionPolicy', 'string', ptr] }],
  },
  // kubectl drain evicts through the typed client.
  'policy/v1/Eviction': {
    1: ['metadata', objectMeta],
    2: ['deleteOptions', { 1: ['gracePeriodSeconds', 'int', ptr], 2: ['preconditions', { 1: ['uid', 'string', ptr], 2: ['resourceVersion', 'string', ptr] }], 3: ['orphanDependents', 'bool', ptr], 4: ['propagationPolicy', 'string', ptr], 5: ['dryRun', 'string', repeated] }],
  },
  // kubectl auth whoami / can-i send these as protobuf.
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: ['metadata', objectMeta] },
  // kubectl create token.
  'authentication.k8s.io/v1/TokenRequest': {
    1: ['metadata', objectMeta],
    2: ['spec', { 1: ['audiences', 'string', repeated], 3: ['boundObjectRef', { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] }], 4: ['expirationSeconds', 'int', ptr] }],
  },
  'authentication.k8s.io/v1/TokenReview': { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['token', 'string'], 2: ['audiences', 'string', repeated] }] },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['resourceAttributes', resourceAttributes], 2: ['nonResourceAttributes', nonResourceAttributes] }] },
  'authorization.k8s.io/v1/SubjectAccessReview': subjectAccessReview,
  'authorization.k8s.io/v1/LocalSubjectAccessReview': subjectAccessReview,
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['namespace', 'string'] }] },
  // kubectl certificate approve|deny (PUT .../approval).
  'certificates.k8s.io/v1/CertificateSigningRequest': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      { 1: ['request', 'bytes'], 2: ['username', 'string'], 3: ['uid', 'string'], 4: ['groups', 'string', repeated], 5: ['usages', 'string', repeated], 7: ['signerName', 'string'], 8: ['expirationSeconds', 'int', ptr] },
    ],
    3: [
      'status',
      {
        1: ['conditions', { 1: ['type', 'string'], 6: ['status', 'string'], 2: ['reason', 'string'], 3: ['message', 'string'], 4: ['lastUpdateTime', 'time'], 5: ['lastTransitionTime', 'time'] }, repeated],
        2: ['certificate', 'bytes'],
      },
    ],
  },
  'rbac.authorization.k8s.io/v1/Role': { 1: ['metadata', objectMeta], 2: ['rules', policyRule, repeated] },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    1: ['metadata', objectMeta],
    2: ['rules', policyRule, repeated],
    3: ['aggregationRule', { 1: ['clusterRoleSelectors', labelSelector, repeated] }],
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': { 1: ['metadata', objectMeta], 2: ['subjects', subject, repeated], 3: ['roleRef', roleRef] },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { 1: ['metadata', objectMeta], 2: ['subjects', subject, repeated], 3: ['roleRef', roleRef] },
};
