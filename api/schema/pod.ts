// core/v1 Pod shapes: containers, volumes, probes, the pod spec and its template.
import { any, bool, int, int32, intOrString, list, obj, open, quantities, quantity, str, stringMap, strings, time } from './dsl.js';
import { messageSchema } from './from-protobuf.js';
import { conditions, labelSelector, localObjectReference, objectMeta } from './meta.js';

const keyToPath = list(obj({ key: str, path: str, mode: int32 }));
const optionalRef = obj({ name: str, optional: bool });
const keyRef = obj({ name: str, key: str, optional: bool });

const envVar = obj({
  name: str,
  value: str,
  valueFrom: obj({
    fieldRef: obj({ apiVersion: str, fieldPath: str }),
    resourceFieldRef: obj({ containerName: str, resource: str, divisor: quantity }),
    configMapKeyRef: keyRef,
    secretKeyRef: keyRef,
  }),
});

const httpGet = obj({ path: str, port: intOrString, host: str, scheme: str, httpHeaders: list(obj({ name: str, value: str })) });
const tcpSocket = obj({ port: intOrString, host: str });
const execAction = obj({ command: strings });

const probe = obj({
  exec: execAction,
  httpGet,
  tcpSocket,
  grpc: obj({ port: int32, service: str }),
  initialDelaySeconds: int32,
  timeoutSeconds: int32,
  periodSeconds: int32,
  successThreshold: int32,
  failureThreshold: int32,
  terminationGracePeriodSeconds: int,
});

const lifecycleHandler = obj({ exec: execAction, httpGet, tcpSocket, sleep: obj({ seconds: int }) });

export const resourceRequirements = obj({
  limits: quantities,
  requests: quantities,
  claims: list(obj({ name: str, request: str }), 'name'),
});

const containerFields = {
  name: str,
  image: str,
  command: strings,
  args: strings,
  workingDir: str,
  ports: list(obj({ name: str, hostPort: int32, containerPort: int32, protocol: str, hostIP: str }), 'containerPort'),
  envFrom: list(obj({ prefix: str, configMapRef: optionalRef, secretRef: optionalRef })),
  env: list(envVar, 'name'),
  resources: resourceRequirements,
  resizePolicy: list(obj({ resourceName: str, restartPolicy: str })),
  restartPolicy: str,
  volumeMounts: list(
    obj({ name: str, readOnly: bool, recursiveReadOnly: str, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str }),
    'mountPath',
  ),
  volumeDevices: list(obj({ name: str, devicePath: str }), 'devicePath'),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: obj({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str }),
  terminationMessagePath: str,
  terminationMessagePolicy: str,
  imagePullPolicy: str,
  securityContext: messageSchema('k8s.io.api.core.v1.SecurityContext'),
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
};

export const container = obj(containerFields);

/** A container added through pods/ephemeralcontainers: a container's fields, and the container whose processes it joins. */
export const ephemeralContainer = obj({ ...containerFields, targetContainerName: str });

// Volume sources beyond the common ones are accepted as they are.
export const volume = open({
  name: str,
  emptyDir: obj({ medium: str, sizeLimit: quantity }),
  hostPath: obj({ path: str, type: str }),
  configMap: obj({ name: str, items: keyToPath, defaultMode: int32, optional: bool }),
  secret: obj({ secretName: str, items: keyToPath, defaultMode: int32, optional: bool }),
  persistentVolumeClaim: obj({ claimName: str, readOnly: bool }),
});

const nodeSelectorRequirement = obj({ key: str, operator: str, values: strings });
const nodeSelectorTerm = obj({ matchExpressions: list(nodeSelectorRequirement), matchFields: list(nodeSelectorRequirement) });
const podAffinityTerm = obj({
  labelSelector,
  namespaces: strings,
  topologyKey: str,
  namespaceSelector: labelSelector,
  matchLabelKeys: strings,
  mismatchLabelKeys: strings,
});
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: int32, podAffinityTerm })),
});

export const affinity = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: list(nodeSelectorTerm) }),
    preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: int32, preference: nodeSelectorTerm })),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});

export const toleration = obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int });

export const podSpec = obj({
  volumes: list(volume, 'name'),
  initContainers: list(container, 'name'),
  containers: list(container, 'name'),
  ephemeralContainers: list(ephemeralContainer, 'name'),
  restartPolicy: str,
  terminationGracePeriodSeconds: int,
  activeDeadlineSeconds: int,
  dnsPolicy: str,
  nodeSelector: stringMap,
  serviceAccountName: str,
  serviceAccount: str,
  automountServiceAccountToken: bool,
  nodeName: str,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: messageSchema('k8s.io.api.core.v1.PodSecurityContext'),
  imagePullSecrets: list(localObjectReference, 'name'),
  hostname: str,
  subdomain: str,
  affinity,
  schedulerName: str,
  tolerations: list(toleration),
  hostAliases: list(obj({ ip: str, hostnames: strings }), 'ip'),
  priorityClassName: str,
  priority: int32,
  dnsConfig: obj({ nameservers: strings, searches: strings, options: list(obj({ name: str, value: str })) }),
  readinessGates: list(obj({ conditionType: str })),
  runtimeClassName: str,
  enableServiceLinks: bool,
  preemptionPolicy: str,
  overhead: quantities,
  topologySpreadConstraints: list(open({ topologyKey: str, whenUnsatisfiable: str }), 'topologyKey'),
  setHostnameAsFQDN: bool,
  os: obj({ name: str }),
  hostUsers: bool,
  schedulingGates: list(obj({ name: str }), 'name'),
  resourceClaims: list(open({ name: str }), 'name'),
  resources: resourceRequirements,
});

export const podStatus = open({
  phase: str,
  conditions,
  message: str,
  reason: str,
  nominatedNodeName: str,
  hostIP: str,
  hostIPs: list(obj({ ip: str }), 'ip'),
  podIP: str,
  podIPs: list(obj({ ip: str }), 'ip'),
  startTime: time,
  initContainerStatuses: list(any),
  containerStatuses: list(any),
  ephemeralContainerStatuses: list(any),
  qosClass: str,
  resize: str,
  resourceClaimStatuses: list(any, 'name'),
});

export const podTemplateSpec = obj({ metadata: objectMeta, spec: podSpec });

