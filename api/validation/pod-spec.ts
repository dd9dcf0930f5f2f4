// Pod spec rules, shared by Pods and every pod template.
import { ipBytes } from '../ip.js';
import type { Unstructured } from '../types/meta.js';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from '../quantity.js';
import type { FieldErrors } from './field-errors.js';
import { configMapKey, dns1123Label, dns1123Subdomain, envVarName, ianaSvcName, labelValue, qualifiedName } from './names.js';
import { validateLabels } from './object-meta.js';
import { podSelectorOptions, validatePodAffinity, validateTopologySpreadConstraints } from './pod-scheduling.js';
import { isExtendedResource, isHugePages, isOvercommitAllowed, validateContainerResourceName } from './resource-names.js';
import { validatePodSecurityContext, validateSecurityContext } from './security-context.js';
import { validateEphemeralVolume } from './persistent-volume-claim.js';
import { validateResourceList } from './resource-list.js';
import { INVALID_IP } from './special-ip.js';
import { ENV_FIELD_PATHS, validateLocalDescendingPath, validateObjectFieldSelector, validateResourceFieldSelector, validateVolumeSource } from './volume-sources.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

function portNumber(value: unknown, field: string, errs: FieldErrors, allowZero = false): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 65535) {
    errs.invalid(field, value, `must be between ${allowZero ? 0 : 1} and 65535, inclusive`);
  }
}

/** A port by number or by name (IntOrString): a string is a name ("80" is not), as Kubernetes reads it. */
function portNumOrName(value: unknown, field: string, errs: FieldErrors): void {
  if (typeof value === 'string') errs.format(field, value, ianaSvcName(value));
  else portNumber(value, field, errs);
}

/** An httpGet or tcpSocket action (a probe's or a lifecycle hook's): its port and scheme. */
function validateNetworkAction(h: Unstructured, field: string, errs: FieldErrors): void {
  for (const action of ['httpGet', 'tcpSocket']) {
    const a = h[action] as Unstructured | undefined;
    if (!a || typeof a !== 'object') continue;
    portNumOrName(a.port, `${field}.${action}.port`, errs);
    if (action === 'httpGet' && a.scheme !== undefined && a.scheme !== 'HTTP' && a.scheme !== 'HTTPS') errs.notSupported(`${field}.httpGet.scheme`, a.scheme, ['HTTP', 'HTTPS']);
    // A header name the kubelet sends as it is: a token, never a line break or a colon.
    (action === 'httpGet' && Array.isArray(a.httpHeaders) ? a.httpHeaders : []).forEach((h: Unstructured, i: number) => {
      if (typeof h?.name !== 'string' || !HEADER_NAME.test(h.name)) errs.invalid(`${field}.httpGet.httpHeaders[${i}].name`, h?.name ?? '', HEADER_NAME_ERROR);
    });
  }
}

const HEADER_NAME = /^[-A-Za-z0-9]+$/;
const HEADER_NAME_ERROR = "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')";

/** A lifecycle hook: one action each; a sleep longer than zero and no longer than the grace period. */
function validateLifecycle(lifecycle: Unstructured | undefined, field: string, gracePeriod: number | undefined, errs: FieldErrors): void {
  if (!lifecycle || typeof lifecycle !== 'object') return;
  for (const hook of ['postStart', 'preStop']) {
    const h = lifecycle[hook] as Unstructured | undefined;
    if (!h || typeof h !== 'object') continue;
    const hf = `${field}.${hook}`;
    const actions = ['exec', 'httpGet', 'tcpSocket', 'sleep'].filter((a) => h[a] !== undefined && h[a] !== null);
    if (actions.length === 0) errs.required(hf, 'must specify a handler type');
    for (const extra of actions.slice(1)) errs.forbidden(`${hf}.${extra}`, 'may not specify more than 1 handler type');
    if (actions[0] === 'exec' && !(h.exec.command?.length > 0)) errs.required(`${hf}.exec.command`);
    validateNetworkAction(h, hf, errs);
    if (actions[0] === 'sleep' && gracePeriod !== undefined) {
      const seconds = Number(h.sleep.seconds ?? 0);
      if (seconds <= 0 || seconds > gracePeriod) {
        errs.invalid(`${hf}.sleep`, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Please enable PodLifecycleSleepActionAllowZero feature gate if you need a sleep of zero duration.`);
      }
    }
  }
}

function validateProbe(p: Unstructured | undefined, field: string, errs: FieldErrors, kind: 'liveness' | 'readiness' | 'startup'): void {
  if (!p) return;
  const grace = p.terminationGracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (kind === 'readiness') errs.invalid(`${field}.terminationGracePeriodSeconds`, grace, 'must not be set for readinessProbes');
    else if (!(typeof grace === 'number' && grace > 0)) errs.invalid(`${field}.terminationGracePeriodSeconds`, grace, 'must be greater than 0');
  }
  // Only readiness may need several successes in a row; liveness and startup end at the first.
  if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1) errs.invalid(`${field}.successThreshold`, p.successThreshold, 'must be 1');
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => p[h]);
  if (handlers.length === 0) errs.required(field, 'must specify a handler type');
  if (handlers.length > 1) errs.forbidden(`${field}.${handlers[1]}`, 'may not specify more than 1 handler type');
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    if (typeof p[k] === 'number' && p[k] < 0) errs.invalid(`${field}.${k}`, p[k], 'must be greater than or equal to 0');
  }
  validateNetworkAction(p, field, errs);
  if (p.grpc) portNumber(p.grpc.port, `${field}.grpc.port`, errs);
}

/** Tolerations (a pod's, or a RuntimeClass's scheduling). */
export function validateTolerations(list: unknown, field: string, errs: FieldErrors): void {
  if (!Array.isArray(list)) return;
  list.forEach((t: Unstructured, i: number) => {
    const tf = `${field}[${i}]`;
    if (t.key) errs.format(`${tf}.key`, t.key, qualifiedName(t.key));
    if (t.operator && !['Exists', 'Equal'].includes(t.operator)) errs.notSupported(`${tf}.operator`, t.operator, ['Equal', 'Exists']);
    if (t.operator === 'Exists' && t.value) errs.invalid(`${tf}.operator`, t.operator, 'value must be empty when `operator` is \'Exists\'');
    if (!t.key && t.operator !== 'Exists') errs.invalid(`${tf}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"');
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.notSupported(`${tf}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
    }
    if (t.value) errs.format(`${tf}.value`, t.value, labelValue(t.value));
  });
}


function validateResources(r: Unstructured | undefined, field: string, errs: FieldErrors): void {
  if (!r) return;
  const limits = (r.limits ?? {}) as Unstructured;
  const requests = (r.requests ?? {}) as Unstructured;
  let cpuOrMemory = false;
  let hugePages = false;
  for (const kind of ['limits', 'requests']) {
    for (const [name, q] of Object.entries(kind === 'limits' ? limits : requests)) {
      const at = `${field}.${kind}[${name}]`;
      validateContainerResourceName(name, at, errs);
      const v = parseQuantity(q as string);
      if (v === undefined) errs.invalid(at, q, QUANTITY_FORMAT_ERROR);
      else if (v < 0) errs.invalid(at, q, 'must be greater than or equal to 0');
      else if (isExtendedResource(name) && !Number.isInteger(v)) errs.invalid(at, q, 'must be an integer');
      if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
      if (isHugePages(name)) hugePages = true;
      if (kind === 'limits') continue;
      // Own keys only: a resource named `__proto__` is not Object.prototype.
      if (!Object.hasOwn(limits, name)) {
        if (!isOvercommitAllowed(name)) errs.required(`${field}.limits`, 'Limit must be set for non overcommitable resources');
        continue;
      }
      const limit = limits[name];
      const lv = parseQuantity(limit);
      if (lv === undefined || v === undefined) continue;
      if (lv !== v && !isOvercommitAllowed(name)) errs.invalid(`${field}.requests`, q, `must be equal to ${name} limit of ${limit}`);
      else if (v > lv) errs.invalid(`${field}.requests`, q, `must be less than or equal to ${name} limit of ${limit}`);
    }
  }
  if (hugePages && !cpuOrMemory) errs.forbidden(field, 'HugePages require cpu or memory');
}

/** What a container's checks need from the pod around it. */
interface PodContext {
  volumes: Set<string>;
  names: Set<string>;
  hostNetwork: boolean;
  hostUsers: boolean;
  /** The pod's terminationGracePeriodSeconds, if it is a number: a hook's sleep must fit in it. */
  gracePeriod?: number;
}

function validateContainer(c: Unstructured, field: string, pod: PodContext, errs: FieldErrors, role: 'init' | 'regular' | 'ephemeral'): void {
  const { volumes, names } = pod;
  if (!c.name) errs.required(`${field}.name`);
  else {
    errs.format(`${field}.name`, c.name, dns1123Label(c.name));
    if (names.has(c.name)) errs.duplicate(`${field}.name`, c.name);
    names.add(c.name);
  }
  if (!c.image || String(c.image).trim() === '') errs.required(`${field}.image`);
  if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) errs.notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES);
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p: Unstructured, i: number) => {
    const pf = `${field}.ports[${i}]`;
    portNumber(p.containerPort, `${pf}.containerPort`, errs);
    if (p.hostPort !== undefined) portNumber(p.hostPort, `${pf}.hostPort`, errs, true);
    if (pod.hostNetwork && p.hostPort !== p.containerPort) errs.invalid(`${pf}.containerPort`, p.containerPort, 'must match `hostPort` when `hostNetwork` is true');
    if (p.protocol && !PROTOCOLS.includes(p.protocol)) errs.notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS);
    if (p.name) {
      errs.format(`${pf}.name`, p.name, ianaSvcName(p.name));
      if (portNames.has(p.name)) errs.duplicate(`${pf}.name`, p.name);
      portNames.add(p.name);
    }
  });
  (c.env ?? []).forEach((e: Unstructured, i: number) => {
    const ef = `${field}.env[${i}]`;
    if (!e.name) errs.required(`${ef}.name`);
    else errs.format(`${ef}.name`, e.name, envVarName(e.name));
    if (e.valueFrom) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => e.valueFrom[s]);
      if (sources.length !== 1) errs.invalid(`${ef}.valueFrom`, '', 'may not have more than one field specified at a time');
      if (e.value) errs.invalid(`${ef}.valueFrom`, '', 'may not be specified when `value` is not empty');
      for (const s of ['configMapKeyRef', 'secretKeyRef']) {
        const ref = e.valueFrom[s];
        if (ref && !ref.key) errs.required(`${ef}.valueFrom.${s}.key`);
        else if (ref) errs.format(`${ef}.valueFrom.${s}.key`, ref.key, configMapKey(ref.key));
      }
      if (e.valueFrom.fieldRef) validateObjectFieldSelector(e.valueFrom.fieldRef, ENV_FIELD_PATHS, `${ef}.valueFrom.fieldRef`, errs);
      if (e.valueFrom.resourceFieldRef) validateResourceFieldSelector(e.valueFrom.resourceFieldRef, `${ef}.valueFrom.resourceFieldRef`, errs, false);
    }
  });
  (c.envFrom ?? []).forEach((e: Unstructured, i: number) => {
    if (e.prefix) errs.format(`${field}.envFrom[${i}].prefix`, e.prefix, envVarName(e.prefix));
    if (!e.configMapRef && !e.secretRef) errs.invalid(`${field}.envFrom[${i}]`, '', 'must specify one of: `configMapRef` or `secretRef`');
  });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: Unstructured, i: number) => {
    const mf = `${field}.volumeMounts[${i}]`;
    if (!m.name) errs.required(`${mf}.name`);
    else if (!volumes.has(m.name)) errs.notFound(`${mf}.name`, m.name);
    if (!m.mountPath) errs.required(`${mf}.mountPath`);
    else {
      if (mountPaths.has(m.mountPath)) errs.invalid(`${mf}.mountPath`, m.mountPath, 'must be unique');
      mountPaths.add(m.mountPath);
    }
    if (m.subPath) validateLocalDescendingPath(m.subPath, `${mf}.subPath`, errs);
    if (m.subPathExpr) {
      if (m.subPath) errs.invalid(`${mf}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive');
      validateLocalDescendingPath(m.subPathExpr, `${mf}.subPathExpr`, errs);
    }
  });
  // A container's own restartPolicy makes an init container a sidecar; nothing else may have one.
  if (role === 'init' && c.restartPolicy !== undefined && c.restartPolicy !== null && c.restartPolicy !== 'Always') {
    errs.notSupported(`${field}.restartPolicy`, c.restartPolicy, ['Always']);
  } else if (role === 'regular' && c.restartPolicy !== undefined && c.restartPolicy !== null) {
    errs.forbidden(`${field}.restartPolicy`, 'may not be set for non-init containers');
  }
  if (role === 'init' && c.restartPolicy !== 'Always') {
    // Init containers that run to completion are neither probed nor hooked.
    for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c[f] !== undefined && c[f] !== null) errs.forbidden(`${field}.${f}`, 'may not be set for init containers without restartPolicy=Always');
    }
  } else {
    validateLifecycle(c.lifecycle, `${field}.lifecycle`, pod.gracePeriod, errs);
    validateProbe(c.livenessProbe, `${field}.livenessProbe`, errs, 'liveness');
    validateProbe(c.readinessProbe, `${field}.readinessProbe`, errs, 'readiness');
    validateProbe(c.startupProbe, `${field}.startupProbe`, errs, 'startup');
  }
  validateResizePolicy(c.resizePolicy, `${field}.resizePolicy`, errs);
  validateResources(c.resources, `${field}.resources`, errs);
  validateSecurityContext(c.securityContext, `${field}.securityContext`, pod.hostUsers, errs);
}

const RESIZE_RESOURCES = ['cpu', 'memory'];
const RESIZE_RESTART_POLICIES = ['NotRequired', 'RestartContainer'];

/** How a container takes a change of its resources: cpu and memory once each, with a policy Kubernetes knows. */
function validateResizePolicy(list: unknown, field: string, errs: FieldErrors): void {
  const seen = new Set<unknown>();
  (Array.isArray(list) ? list : []).forEach((p: Unstructured, i: number) => {
    if (seen.has(p?.resourceName)) errs.duplicate(`${field}[${i}]`, p?.resourceName);
    seen.add(p?.resourceName);
    if (!p?.resourceName) errs.required(`${field}[${i}]`);
    else if (!RESIZE_RESOURCES.includes(p.resourceName)) errs.notSupported(field, p.resourceName, RESIZE_RESOURCES);
    if (!p?.restartPolicy) errs.required(`${field}[${i}]`);
    else if (!RESIZE_RESTART_POLICIES.includes(p.restartPolicy)) errs.notSupported(field, p.restartPolicy, RESIZE_RESTART_POLICIES);
  });
}

/** Fields an ephemeral container may not have: it serves no traffic, is never probed or restarted, and gets no resources of its own. */
const NOT_FOR_EPHEMERAL = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'] as const;

function validateEphemeralContainer(c: Unstructured, field: string, pod: PodContext, errs: FieldErrors, targets: Set<string>): void {
  validateContainer(c, field, pod, errs, 'ephemeral');
  for (const f of NOT_FOR_EPHEMERAL) {
    if (c[f] !== undefined && c[f] !== null && !(Array.isArray(c[f]) && c[f].length === 0)) errs.forbidden(`${field}.${f}`, 'cannot be set for an Ephemeral Container');
  }
  const r = c.resources as Unstructured | undefined;
  if (r && Object.values(r).some((v) => v && typeof v === 'object' && Object.keys(v).length > 0)) errs.forbidden(`${field}.resources`, 'cannot be set for an Ephemeral Container');
  if (c.targetContainerName && !targets.has(c.targetContainerName)) errs.notFound(`${field}.targetContainerName`, c.targetContainerName);
}

/** `prevSpec`: the stored spec on an update (what it already holds unchecked stays accepted). */
export function validatePodSpec(spec: Unstructured | undefined, field: string, errs: FieldErrors, prevSpec?: Unstructured): void {
  if (!spec) {
    errs.required(field);
    return;
  }
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v: Unstructured, i: number) => {
    const vf = `${field}.volumes[${i}]`;
    if (!v.name) errs.required(`${vf}.name`);
    else {
      errs.format(`${vf}.name`, v.name, dns1123Label(v.name));
      if (volumes.has(v.name)) errs.duplicate(`${vf}.name`, v.name);
      volumes.add(v.name);
    }
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length === 0) errs.required(vf, 'must specify a volume type');
    if (sources.length > 1) errs.forbidden(`${vf}.${sources[1]}`, 'may not specify more than 1 volume type');
    validateVolumeSource(v, vf, errs);
    if (v.ephemeral) validateEphemeralVolume(v.ephemeral, `${vf}.ephemeral`, errs);
  });
  const containers: Unstructured[] = spec.containers ?? [];
  if (containers.length === 0) errs.required(`${field}.containers`);
  const pod: PodContext = {
    volumes,
    names: new Set<string>(),
    hostNetwork: spec.hostNetwork === true,
    hostUsers: spec.hostUsers !== false,
    ...(typeof spec.terminationGracePeriodSeconds === 'number' ? { gracePeriod: spec.terminationGracePeriodSeconds } : {}),
  };
  (spec.initContainers ?? []).forEach((c: Unstructured, i: number) => validateContainer(c, `${field}.initContainers[${i}]`, pod, errs, 'init'));
  containers.forEach((c, i) => validateContainer(c, `${field}.containers[${i}]`, pod, errs, 'regular'));
  const targets = new Set(pod.names);
  (spec.ephemeralContainers ?? []).forEach((c: Unstructured, i: number) => validateEphemeralContainer(c, `${field}.ephemeralContainers[${i}]`, pod, errs, targets));
  validatePodSecurityContext(spec, `${field}.securityContext`, errs);
  if (spec.restartPolicy && !RESTART_POLICIES.includes(spec.restartPolicy)) errs.notSupported(`${field}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES);
  if (spec.dnsPolicy && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES);
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) errs.required(`${field}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None');
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0) {
    errs.invalid(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive');
  }
  validateLabels(spec.nodeSelector, `${field}.nodeSelector`, errs);
  if (spec.nodeName) errs.format(`${field}.nodeName`, spec.nodeName, dns1123Subdomain(spec.nodeName));
  if (spec.hostname) errs.format(`${field}.hostname`, spec.hostname, dns1123Label(spec.hostname));
  if (spec.serviceAccountName) errs.format(`${field}.serviceAccountName`, spec.serviceAccountName, dns1123Subdomain(spec.serviceAccountName));
  validateTolerations(spec.tolerations, `${field}.tolerations`, errs);
  const selectorOptions = podSelectorOptions(prevSpec);
  validatePodAffinity(spec.affinity, `${field}.affinity`, errs, selectorOptions);
  validateTopologySpreadConstraints(spec.topologySpreadConstraints, `${field}.topologySpreadConstraints`, errs, selectorOptions);
  validateResourceList(spec.overhead, `${field}.overhead`, errs);
  if (spec.subdomain) errs.format(`${field}.subdomain`, String(spec.subdomain), dns1123Label(String(spec.subdomain)));
  validateGatesAndOS(spec, field, errs);
  validateHostAliases(spec.hostAliases, `${field}.hostAliases`, errs);
  validateDNSConfig(spec, `${field}.dnsConfig`, errs);
}

const OS_NAMES = ['linux', 'windows'];

/** Readiness gates and scheduling gates name conditions (qualified names; a gate once), and an OS is one Kubernetes knows. */
function validateGatesAndOS(spec: Unstructured, field: string, errs: FieldErrors): void {
  (Array.isArray(spec.readinessGates) ? spec.readinessGates : []).forEach((g: Unstructured, i: number) => {
    errs.format(`${field}.readinessGates[${i}].conditionType`, String(g?.conditionType ?? ''), qualifiedName(String(g?.conditionType ?? '')));
  });
  const gates = new Set<unknown>();
  (Array.isArray(spec.schedulingGates) ? spec.schedulingGates : []).forEach((g: Unstructured, i: number) => {
    errs.format(`${field}.schedulingGates[${i}].name`, String(g?.name ?? ''), qualifiedName(String(g?.name ?? '')));
    if (gates.has(g?.name)) errs.duplicate(`${field}.schedulingGates[${i}].name`, g?.name);
    gates.add(g?.name);
  });
  const os = spec.os as Unstructured | undefined;
  if (os && typeof os === 'object') {
    if (!os.name) errs.required(`${field}.os.name`);
    else if (!OS_NAMES.includes(os.name)) errs.notSupported(`${field}.os.name`, os.name, OS_NAMES);
  }
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;

/** /etc/hosts entries the kubelet writes: an address and DNS names. */
function validateHostAliases(list: unknown, field: string, errs: FieldErrors): void {
  (Array.isArray(list) ? list : []).forEach((h: Unstructured, i: number) => {
    if (typeof h?.ip !== 'string' || !ipBytes(h.ip)) errs.invalid(`${field}[${i}].ip`, h?.ip ?? '', INVALID_IP);
    (Array.isArray(h?.hostnames) ? h.hostnames : []).forEach((name: unknown, j: number) => errs.format(`${field}[${i}].hostnames[${j}]`, String(name), dns1123Subdomain(String(name))));
  });
}

/** The resolv.conf the kubelet writes: at most three servers by address, search domains that are DNS names, named options. */
function validateDNSConfig(spec: Unstructured, field: string, errs: FieldErrors): void {
  const config = spec.dnsConfig as Unstructured | undefined;
  const nameservers: unknown[] = Array.isArray(config?.nameservers) ? config.nameservers : [];
  if (spec.dnsPolicy === 'None' && config && !nameservers.length) errs.required(`${field}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None');
  if (!config || typeof config !== 'object') return;
  if (nameservers.length > MAX_NAMESERVERS) errs.invalid(`${field}.nameservers`, nameservers, `must not have more than ${MAX_NAMESERVERS} nameservers`);
  nameservers.forEach((ns, i) => {
    if (typeof ns !== 'string' || !ipBytes(ns)) errs.invalid(`${field}.nameservers[${i}]`, ns, INVALID_IP);
  });
  const searches: unknown[] = Array.isArray(config.searches) ? config.searches : [];
  if (searches.length > MAX_SEARCHES) errs.invalid(`${field}.searches`, searches, `must not have more than ${MAX_SEARCHES} search paths`);
  if (searches.map(String).join(' ').length > MAX_SEARCH_CHARS) errs.invalid(`${field}.searches`, searches, `must not have more than ${MAX_SEARCH_CHARS} characters (including spaces) in the search list`);
  searches.forEach((search, i) => {
    // A trailing dot (a fully qualified name) is fine.
    const name = String(search).replace(/\.$/, '');
    errs.format(`${field}.searches[${i}]`, name, dns1123Subdomain(name));
  });
  (Array.isArray(config.options) ? config.options : []).forEach((o: Unstructured, i: number) => {
    if (!o?.name) errs.required(`${field}.options[${i}]`, 'Option.Name must not be empty');
  });
}
