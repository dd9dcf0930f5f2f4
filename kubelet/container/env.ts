// A container's environment, as the kubelet builds it: service variables, then envFrom
// sources, then env entries (later ones win), values from the pod's own fields, its resources,
// ConfigMaps and Secrets, and $(VAR) references expanded against what is defined so far. Pure: the ConfigMaps and Secrets
// are fetched beforehand (referencedObjects says which).
import { parseQuantity } from '../../api/quantity.js';
import type { ConfigMap, Secret } from '../../api/types/core.js';
import type { Container, Pod } from '../../api/types/pod.js';

/** A container cannot be configured (a missing ConfigMap or key): CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

export interface EnvSources {
  configMaps: ReadonlyMap<string, ConfigMap | undefined>;
  secrets: ReadonlyMap<string, Secret | undefined>;
  podIP?: string;
  hostIP: string;
  /** The node's allocatable resources, which stand in for unset limits. */
  nodeAllocatable: Record<string, string>;
  /** Service variables (KUBERNETES_SERVICE_HOST, ...): first, so the container's own env wins. */
  serviceEnv?: Array<[string, string]>;
}

/** Names of the ConfigMaps and Secrets a container's env refers to. */
export function referencedObjects(c: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

/**
 * Expands $(NAME) from `vars`; $$ escapes a dollar; an undefined reference stays as written.
 * Every name referenced is added to `referenced`, when given.
 */
export function expandVars(input: string, vars: ReadonlyMap<string, string>, referenced?: Set<string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      referenced?.add(name);
      out += vars.has(name) ? vars.get(name) : input.slice(i, close + 1);
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function secretValue(secret: Secret, key: string): string | undefined {
  const data = secret.data;
  if (data && Object.hasOwn(data, key)) return Buffer.from(data[key]!, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

function bracketKey(path: string, prefix: string): string | undefined {
  const m = new RegExp(`^${prefix.replace('.', '\\.')}\\['(.*)'\\]$`).exec(path);
  return m ? m[1] : undefined;
}

export function fieldValue(pod: Pod, path: string, sources: EnvSources): string {
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return sources.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return sources.podIP ?? '';
  }
  const label = bracketKey(path, 'metadata.labels');
  if (label !== undefined) return pod.metadata.labels?.[label] ?? '';
  const annotation = bracketKey(path, 'metadata.annotations');
  if (annotation !== undefined) return pod.metadata.annotations?.[annotation] ?? '';
  throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
}

/** A container's request or limit in units of the divisor, rounded up; a limit not set is the node's allocatable. `self` when the reference names no container (an env var's own). */
export function resourceValue(pod: Pod, self: Container | undefined, ref: { containerName?: string; resource: string; divisor?: string }, sources: EnvSources): string {
  const c = ref.containerName ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((x) => x.name === ref.containerName) : self;
  if (!c) throw new ContainerConfigError(`container "${ref.containerName}" not found in pod`);
  const [kind, name] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  let q = kind === 'limits' ? c.resources?.limits?.[name] : c.resources?.requests?.[name];
  if (q === undefined && kind === 'limits') q = sources.nodeAllocatable[name];
  const value = parseQuantity(q) ?? 0;
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  return String(Math.ceil(value / divisor));
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** "NAME=value" lines for Docker, in the order the container sees them. */
export function containerEnv(pod: Pod, c: Container, sources: EnvSources): { env: string[]; vars: Map<string, string> } {
  const vars = new Map<string, string>(sources.serviceEnv ?? []);
  const lookup = <T>(map: ReadonlyMap<string, T | undefined>, kind: string, name: string, optional: boolean | undefined): T | undefined => {
    const obj = map.get(name);
    if (!obj && !optional) throw new ContainerConfigError(`${kind} "${name}" not found`);
    return obj;
  };
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = lookup(sources.configMaps, 'configmap', from.configMapRef.name, from.configMapRef.optional);
      for (const [k, v] of Object.entries((cm?.data as Record<string, string>) ?? {})) if (ENV_NAME.test(prefix + k)) vars.set(prefix + k, v);
    }
    if (from.secretRef) {
      const secret = lookup(sources.secrets, 'secret', from.secretRef.name, from.secretRef.optional);
      for (const k of Object.keys((secret?.data as Record<string, string>) ?? {})) if (ENV_NAME.test(prefix + k)) vars.set(prefix + k, secretValue(secret!, k)!);
    }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      vars.set(e.name, expandVars(e.value ?? '', vars));
    } else if (from.fieldRef) {
      vars.set(e.name, fieldValue(pod, from.fieldRef.fieldPath, sources));
    } else if (from.resourceFieldRef) {
      vars.set(e.name, resourceValue(pod, c, from.resourceFieldRef, sources));
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = lookup(sources.configMaps, 'configmap', ref.name, ref.optional);
      const value = (cm?.data as Record<string, string> | undefined)?.[ref.key];
      if (value === undefined && cm && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${pod.metadata.namespace}/${ref.name}`);
      if (value !== undefined) vars.set(e.name, value);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const secret = lookup(sources.secrets, 'secret', ref.name, ref.optional);
      const value = secret ? secretValue(secret, ref.key) : undefined;
      if (value === undefined && secret && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${pod.metadata.namespace}/${ref.name}`);
      if (value !== undefined) vars.set(e.name, value);
    }
  }
  return { env: [...vars].map(([k, v]) => `${k}=${v}`), vars };
}
