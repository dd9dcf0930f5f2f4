// Defaulting per kind, applied to every object written (create, update, patch result) in its
// stored version. Pod specs are defaulted by one function wherever they appear (pods and
// every template), so a Deployment's template and its ReplicaSet's template default alike.
import { setOwn } from './codec/values.js';
import type { KubeObject } from './types/meta.js';

type AnyObj = Record<string, any>;

function setIfMissing(o: AnyObj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function imagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.lastIndexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: AnyObj | undefined): void {
  if (!p) return;
  setIfMissing(p, 'timeoutSeconds', 1);
  setIfMissing(p, 'periodSeconds', 10);
  setIfMissing(p, 'successThreshold', 1);
  setIfMissing(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultHandler(h: AnyObj | undefined): void {
  if (h?.httpGet) {
    setIfMissing(h.httpGet, 'path', '/');
    setIfMissing(h.httpGet, 'scheme', 'HTTP');
  }
}

function defaultContainer(c: AnyObj): void {
  setIfMissing(c, 'terminationMessagePath', '/dev/termination-log');
  setIfMissing(c, 'terminationMessagePolicy', 'File');
  setIfMissing(c, 'imagePullPolicy', imagePullPolicy(c.image));
  setIfMissing(c, 'resources', {});
  for (const p of c.ports ?? []) setIfMissing(p, 'protocol', 'TCP');
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) setIfMissing(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

export function defaultPodSpec(spec: AnyObj | undefined): void {
  if (!spec) return;
  setIfMissing(spec, 'restartPolicy', 'Always');
  setIfMissing(spec, 'terminationGracePeriodSeconds', 30);
  setIfMissing(spec, 'dnsPolicy', 'ClusterFirst');
  setIfMissing(spec, 'securityContext', {});
  setIfMissing(spec, 'schedulerName', 'default-scheduler');
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.configMap) setIfMissing(v.configMap, 'defaultMode', 420);
    if (v.secret) setIfMissing(v.secret, 'defaultMode', 420);
    if (v.hostPath) setIfMissing(v.hostPath, 'type', '');
  }
  // An older client may still send the deprecated alias only.
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
}

function defaultTemplate(template: AnyObj | undefined): void {
  if (!template) return;
  setIfMissing(template, 'metadata', {});
  defaultPodSpec(template.spec);
}

function defaultPod(pod: KubeObject): void {
  const spec = pod.spec ?? (pod.spec = {});
  defaultPodSpec(spec);
  setIfMissing(spec, 'enableServiceLinks', true);
  setIfMissing(spec, 'serviceAccountName', 'default');
  if (!spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  setIfMissing(spec, 'priority', 0);
  setIfMissing(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  // Requests default to limits when only limits are given.
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const limits = c.resources?.limits;
    if (limits) {
      c.resources.requests = { ...limits, ...(c.resources.requests ?? {}) };
    }
  }
}

function rollingUpdateStrategy(spec: AnyObj, field: string, type: string, rolling: AnyObj): void {
  setIfMissing(spec, field, { type });
  const strategy = spec[field];
  setIfMissing(strategy, 'type', type);
  if (strategy.type === type) {
    setIfMissing(strategy, 'rollingUpdate', {});
    for (const [k, v] of Object.entries(rolling)) setIfMissing(strategy.rollingUpdate, k, v);
  }
}

const byKind: Record<string, (o: KubeObject) => void> = {
  'v1/Pod': defaultPod,
  'v1/PodTemplate': (o) => defaultTemplate(o.template as AnyObj),
  'v1/ReplicationController': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    defaultTemplate(spec.template);
    const templateLabels = spec.template?.metadata?.labels;
    if (templateLabels) {
      if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
      if (!o.metadata.labels || Object.keys(o.metadata.labels).length === 0) o.metadata.labels = { ...templateLabels };
    }
  },
  'v1/Service': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'type', 'ClusterIP');
    setIfMissing(spec, 'sessionAffinity', 'None');
    for (const p of spec.ports ?? []) {
      setIfMissing(p, 'protocol', 'TCP');
      setIfMissing(p, 'targetPort', p.port);
    }
    if (spec.type !== 'ExternalName') setIfMissing(spec, 'internalTrafficPolicy', 'Cluster');
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setIfMissing(spec, 'externalTrafficPolicy', 'Cluster');
    if (spec.type === 'LoadBalancer') setIfMissing(spec, 'allocateLoadBalancerNodePorts', true);
    if (spec.sessionAffinity === 'ClientIP') {
      setIfMissing(spec, 'sessionAffinityConfig', {});
      setIfMissing(spec.sessionAffinityConfig, 'clientIP', {});
      setIfMissing(spec.sessionAffinityConfig.clientIP, 'timeoutSeconds', 10800);
    }
  },
  'v1/Secret': (o) => {
    setIfMissing(o as AnyObj, 'type', 'Opaque');
    // stringData is write-only: it is merged into data (winning over it) and never stored.
    const stringData = o.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = ((o as AnyObj).data ??= {});
      for (const [k, v] of Object.entries(stringData)) setOwn(data, k, Buffer.from(String(v), 'utf8').toString('base64'));
      delete o.stringData;
    }
  },
  'v1/Endpoints': (o) => {
    for (const s of (o.subsets as AnyObj[]) ?? []) for (const p of s.ports ?? []) setIfMissing(p, 'protocol', 'TCP');
  },
  'v1/Namespace': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'finalizers', ['kubernetes']);
    const status = o.status ?? (o.status = {});
    setIfMissing(status, 'phase', 'Active');
    // Every namespace carries its own name as a label, so selectors can pick namespaces.
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
  },
  'apps/v1/Deployment': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    rollingUpdateStrategy(spec, 'strategy', 'RollingUpdate', { maxUnavailable: '25%', maxSurge: '25%' });
    setIfMissing(spec, 'revisionHistoryLimit', 10);
    setIfMissing(spec, 'progressDeadlineSeconds', 600);
    defaultTemplate(spec.template);
  },
  'apps/v1/ReplicaSet': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    defaultTemplate(spec.template);
  },
  'apps/v1/StatefulSet': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    setIfMissing(spec, 'podManagementPolicy', 'OrderedReady');
    rollingUpdateStrategy(spec, 'updateStrategy', 'RollingUpdate', { partition: 0 });
    setIfMissing(spec, 'revisionHistoryLimit', 10);
    setIfMissing(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
    defaultTemplate(spec.template);
  },
  'apps/v1/DaemonSet': (o) => {
    const spec = o.spec ?? (o.spec = {});
    rollingUpdateStrategy(spec, 'updateStrategy', 'RollingUpdate', { maxUnavailable: 1, maxSurge: 0 });
    setIfMissing(spec, 'revisionHistoryLimit', 10);
    defaultTemplate(spec.template);
  },
  'batch/v1/Job': (o) => defaultJobSpec(o.spec ?? (o.spec = {})),
  'batch/v1/CronJob': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'concurrencyPolicy', 'Allow');
    setIfMissing(spec, 'suspend', false);
    setIfMissing(spec, 'successfulJobsHistoryLimit', 3);
    setIfMissing(spec, 'failedJobsHistoryLimit', 1);
    setIfMissing(spec, 'jobTemplate', {});
    setIfMissing(spec.jobTemplate, 'spec', {});
    defaultJobSpec(spec.jobTemplate.spec);
  },
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'minReplicas', 1);
  },
};

function defaultJobSpec(spec: AnyObj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfMissing(spec, 'parallelism', 1);
  setIfMissing(spec, 'backoffLimit', 6);
  setIfMissing(spec, 'completionMode', 'NonIndexed');
  setIfMissing(spec, 'suspend', false);
  defaultTemplate(spec.template);
}

/** Defaults `obj` in place. `apiVersion` and `kind` name its (stored) version. */
export function applyDefaults(obj: KubeObject): void {
  byKind[`${obj.apiVersion}/${obj.kind}`]?.(obj);
}
