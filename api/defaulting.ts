// Defaulting helpers the kind modules share. Pod specs are defaulted by one function wherever
// they appear (pods and every template), so a Deployment's template and its ReplicaSet's
// template default alike.
import { isObject } from './codec/values.js';
import type { Unstructured } from './types/meta.js';

export function setIfMissing(o: Unstructured, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function imagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.lastIndexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Unstructured | undefined): void {
  if (!p) return;
  setIfMissing(p, 'timeoutSeconds', 1);
  setIfMissing(p, 'periodSeconds', 10);
  setIfMissing(p, 'successThreshold', 1);
  setIfMissing(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultHandler(h: Unstructured | undefined): void {
  if (h?.httpGet) {
    setIfMissing(h.httpGet, 'path', '/');
    setIfMissing(h.httpGet, 'scheme', 'HTTP');
  }
}

function defaultContainer(c: Unstructured): void {
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

/** A downward API file's field is of the v1 Pod unless it says. */
function defaultDownwardAPIItems(items: unknown): void {
  for (const item of Array.isArray(items) ? items : []) if (isObject(item?.fieldRef)) setIfMissing(item.fieldRef, 'apiVersion', 'v1');
}

export function defaultPodSpec(spec: Unstructured | undefined): void {
  if (!spec) return;
  setIfMissing(spec, 'restartPolicy', 'Always');
  setIfMissing(spec, 'terminationGracePeriodSeconds', 30);
  setIfMissing(spec, 'dnsPolicy', 'ClusterFirst');
  setIfMissing(spec, 'securityContext', {});
  setIfMissing(spec, 'schedulerName', 'default-scheduler');
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  // On the node's network a container's port is the node's: the host port is the same number.
  if (spec.hostNetwork === true) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of (c?.ports ?? []) as Unstructured[]) if (p && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (!v || typeof v !== 'object') continue;
    // A volume that names no source is an emptyDir, as Kubernetes defaults it.
    if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
    if (v.configMap) setIfMissing(v.configMap, 'defaultMode', 420);
    if (v.secret) setIfMissing(v.secret, 'defaultMode', 420);
    if (v.hostPath) setIfMissing(v.hostPath, 'type', '');
    if (isObject(v.downwardAPI)) {
      setIfMissing(v.downwardAPI, 'defaultMode', 420);
      defaultDownwardAPIItems(v.downwardAPI.items);
    }
    if (isObject(v.projected)) {
      setIfMissing(v.projected, 'defaultMode', 420);
      for (const source of Array.isArray(v.projected.sources) ? v.projected.sources : []) {
        if (isObject(source?.serviceAccountToken)) setIfMissing(source.serviceAccountToken, 'expirationSeconds', 3600);
        if (isObject(source?.downwardAPI)) defaultDownwardAPIItems(source.downwardAPI.items);
      }
    }
  }
  // An older client may still send the deprecated alias only.
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
}

export function defaultTemplate(template: Unstructured | undefined): void {
  if (!template) return;
  setIfMissing(template, 'metadata', {});
  defaultPodSpec(template.spec);
}

export function rollingUpdateStrategy(spec: Unstructured, field: string, type: string, rolling: Unstructured): void {
  setIfMissing(spec, field, { type });
  const strategy = spec[field];
  setIfMissing(strategy, 'type', type);
  if (strategy.type === type) {
    setIfMissing(strategy, 'rollingUpdate', {});
    for (const [k, v] of Object.entries(rolling)) setIfMissing(strategy.rollingUpdate, k, v);
  }
}

export function defaultJobSpec(spec: Unstructured): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfMissing(spec, 'parallelism', 1);
  setIfMissing(spec, 'completionMode', 'NonIndexed');
  // With a backoff limit per index, the job-wide limit is off unless given (Kubernetes' MaxInt32).
  setIfMissing(spec, 'backoffLimit', spec.completionMode === 'Indexed' && spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? 2147483647 : 6);
  setIfMissing(spec, 'suspend', false);
  // JobPodReplacementPolicy (on by default since Kubernetes 1.29): replace a pod once it is
  // gone, or only once it failed when a pod failure policy decides about failures.
  setIfMissing(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  // A pod failure policy's condition patterns match a condition that is True unless they say.
  const rules = (spec.podFailurePolicy as Unstructured | undefined)?.rules;
  if (Array.isArray(rules)) {
    for (const rule of rules) {
      const patterns = isObject(rule) ? rule.onPodConditions : undefined;
      if (Array.isArray(patterns)) for (const p of patterns) if (isObject(p)) setIfMissing(p, 'status', 'True');
    }
  }
  defaultTemplate(spec.template);
}

