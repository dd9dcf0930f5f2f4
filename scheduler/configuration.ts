// The scheduler's configuration file (--config): Kubernetes' KubeSchedulerConfiguration,
// kubescheduler.config.k8s.io/v1, in YAML or JSON. Read strictly (an unknown field is an
// error, as kube-scheduler's strict decoding makes it), checked with Kubernetes' rules and
// filled with its defaults; the result is what /configz serves.
import { parseGoDuration } from '../api/go-duration.js';
import { yamlLibrary } from '../api/codec/yaml-library.js';
import { EXTENSION_POINTS, type ExtensionPoint } from './plugins/index.js';

export const CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';

export interface PluginRef {
  name: string;
  weight?: number;
}
export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}
export type PluginsConfig = Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;
export interface PluginConfig {
  name: string;
  args?: Record<string, unknown>;
}
export interface ProfileConfig {
  schedulerName: string;
  percentageOfNodesToScore?: number;
  plugins?: PluginsConfig;
  pluginConfig?: PluginConfig[];
}

export interface KubeSchedulerConfiguration {
  apiVersion: string;
  kind: 'KubeSchedulerConfiguration';
  parallelism: number;
  leaderElection: {
    leaderElect: boolean;
    leaseDuration: string;
    renewDeadline: string;
    retryPeriod: string;
    resourceLock: string;
    resourceName: string;
    resourceNamespace: string;
  };
  clientConnection: { kubeconfig: string; acceptContentTypes: string; contentType: string; qps: number; burst: number };
  enableProfiling: boolean;
  enableContentionProfiling: boolean;
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  profiles: ProfileConfig[];
  extenders: unknown[];
  delayCacheUntilActive: boolean;
}

/** A configuration file kube-scheduler would refuse: the message says where and why. */
export class ConfigurationError extends Error {}

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'any';

function typeOf(v: unknown): FieldType {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'any';
  return typeof v === 'object' ? 'object' : (typeof v as FieldType);
}

/** Checks `obj`'s fields against `known` (strict decoding): unknown fields and wrong types are errors. */
function strict(obj: unknown, path: string, known: Record<string, FieldType>): Record<string, unknown> {
  if (typeOf(obj) !== 'object') throw new ConfigurationError(`${path || 'the configuration'}: must be an object`);
  const o = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    const want = Object.hasOwn(known, k) ? known[k] : undefined;
    const at = path ? `${path}.${k}` : k;
    if (!want) throw new ConfigurationError(`strict decoding error: unknown field "${at}"`);
    if (want !== 'any' && v !== null && typeOf(v) !== want) throw new ConfigurationError(`${at}: must be ${want === 'array' ? 'a list' : `a ${want}`}`);
  }
  return o;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Copies the fields given a value (null is Go's "not set": the default stays). */
function assignGiven(into: object, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) if (v !== null && v !== undefined) (into as Record<string, unknown>)[k] = v;
}

function checkPluginSet(v: unknown, path: string): PluginSet {
  const set = strict(v, path, { enabled: 'array', disabled: 'array' });
  for (const which of ['enabled', 'disabled'] as const) {
    list(set[which]).forEach((p, i) => {
      const ref = strict(p, `${path}.${which}[${i}]`, { name: 'string', weight: 'number' });
      if (!ref.name) throw new ConfigurationError(`${path}.${which}[${i}].name: Required value`);
      if (ref.weight !== undefined && (!Number.isInteger(ref.weight) || (ref.weight as number) < 0)) {
        throw new ConfigurationError(`${path}.${which}[${i}].weight: Invalid value: ${ref.weight}: must be a non-negative integer`);
      }
    });
  }
  return set as PluginSet;
}

function checkProfile(v: unknown, path: string): ProfileConfig {
  const p = strict(v, path, { schedulerName: 'string', percentageOfNodesToScore: 'number', plugins: 'object', pluginConfig: 'array' });
  if (!p.schedulerName) throw new ConfigurationError(`${path}.schedulerName: Required value`);
  if (p.percentageOfNodesToScore !== undefined && p.percentageOfNodesToScore !== null) checkPercentage(p.percentageOfNodesToScore as number, `${path}.percentageOfNodesToScore`);
  if (p.plugins) {
    const points = Object.fromEntries([...EXTENSION_POINTS, 'multiPoint'].map((e) => [e, 'object' as const]));
    const plugins = strict(p.plugins, `${path}.plugins`, points);
    for (const [point, set] of Object.entries(plugins)) if (set) checkPluginSet(set, `${path}.plugins.${point}`);
  }
  const seen = new Set<string>();
  list(p.pluginConfig).forEach((c, i) => {
    const entry = strict(c, `${path}.pluginConfig[${i}]`, { name: 'string', args: 'object' });
    if (!entry.name) throw new ConfigurationError(`${path}.pluginConfig[${i}].name: Required value`);
    if (seen.has(entry.name as string)) throw new ConfigurationError(`${path}.pluginConfig[${i}]: Duplicate value: "${entry.name}"`);
    seen.add(entry.name as string);
  });
  return p as unknown as ProfileConfig;
}

function checkPercentage(value: number, path: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 100) throw new ConfigurationError(`${path}: Invalid value: ${value}: not in valid range [0-100]`);
}

function duration(value: string, path: string): number {
  try {
    return parseGoDuration(value);
  } catch {
    throw new ConfigurationError(`${path}: Invalid value: "${value}": not a duration`);
  }
}

/** The defaults of kubescheduler.config.k8s.io/v1, as kube-scheduler fills them in. */
function defaults(): KubeSchedulerConfiguration {
  return {
    apiVersion: CONFIG_API_VERSION,
    kind: 'KubeSchedulerConfiguration',
    parallelism: 16,
    leaderElection: { leaderElect: true, leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s', resourceLock: 'leases', resourceName: 'kube-scheduler', resourceNamespace: 'kube-system' },
    clientConnection: { kubeconfig: '', acceptContentTypes: '', contentType: 'application/json', qps: 50, burst: 100 },
    enableProfiling: true,
    enableContentionProfiling: true,
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
    profiles: [{ schedulerName: 'default-scheduler' }],
    extenders: [],
    delayCacheUntilActive: false,
  };
}

/**
 * Reads a configuration file's text: checked, defaulted. Throws ConfigurationError for what
 * kube-scheduler would refuse, and for extenders, which kubette does not call.
 */
export function parseSchedulerConfiguration(text: string): KubeSchedulerConfiguration {
  let doc: unknown;
  try {
    doc = yamlLibrary().parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigurationError(`not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const top = strict(doc, '', {
    apiVersion: 'string',
    kind: 'string',
    parallelism: 'number',
    leaderElection: 'object',
    clientConnection: 'object',
    enableProfiling: 'boolean',
    enableContentionProfiling: 'boolean',
    percentageOfNodesToScore: 'number',
    podInitialBackoffSeconds: 'number',
    podMaxBackoffSeconds: 'number',
    profiles: 'array',
    extenders: 'array',
    delayCacheUntilActive: 'boolean',
  });
  if (top.kind !== 'KubeSchedulerConfiguration') throw new ConfigurationError(`kind: want "KubeSchedulerConfiguration", got "${String(top.kind ?? '')}"`);
  if (top.apiVersion !== CONFIG_API_VERSION) {
    throw new ConfigurationError(`no kind "KubeSchedulerConfiguration" is registered for version "${String(top.apiVersion ?? '')}" (kubette reads ${CONFIG_API_VERSION})`);
  }
  const out = defaults();
  const le = strict(top.leaderElection ?? {}, 'leaderElection', { leaderElect: 'boolean', leaseDuration: 'string', renewDeadline: 'string', retryPeriod: 'string', resourceLock: 'string', resourceName: 'string', resourceNamespace: 'string' });
  assignGiven(out.leaderElection, le);
  const cc = strict(top.clientConnection ?? {}, 'clientConnection', { kubeconfig: 'string', acceptContentTypes: 'string', contentType: 'string', qps: 'number', burst: 'number' });
  assignGiven(out.clientConnection, cc);
  for (const k of ['parallelism', 'enableProfiling', 'enableContentionProfiling', 'percentageOfNodesToScore', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds', 'delayCacheUntilActive'] as const) {
    if (top[k] !== undefined && top[k] !== null) (out as unknown as Record<string, unknown>)[k] = top[k];
  }
  if (Array.isArray(top.profiles) && top.profiles.length) out.profiles = top.profiles.map((p, i) => checkProfile(p, `profiles[${i}]`));
  out.extenders = list(top.extenders);

  if (!Number.isInteger(out.parallelism) || out.parallelism <= 0) throw new ConfigurationError(`parallelism: Invalid value: ${out.parallelism}: should be an integer value greater than zero`);
  checkPercentage(out.percentageOfNodesToScore, 'percentageOfNodesToScore');
  if (!Number.isInteger(out.podInitialBackoffSeconds) || out.podInitialBackoffSeconds <= 0) {
    throw new ConfigurationError(`podInitialBackoffSeconds: Invalid value: ${out.podInitialBackoffSeconds}: must be greater than 0`);
  }
  if (!Number.isInteger(out.podMaxBackoffSeconds) || out.podMaxBackoffSeconds < out.podInitialBackoffSeconds) {
    throw new ConfigurationError(`podMaxBackoffSeconds: Invalid value: ${out.podMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds`);
  }
  const names = new Set<string>();
  out.profiles.forEach((p, i) => {
    if (names.has(p.schedulerName)) throw new ConfigurationError(`profiles[${i}].schedulerName: Duplicate value: "${p.schedulerName}"`);
    names.add(p.schedulerName);
  });
  if (out.extenders.length) throw new ConfigurationError('extenders: kubette does not call scheduler extenders; use plugins in profiles');
  const l = out.leaderElection;
  if (l.resourceLock !== 'leases') throw new ConfigurationError(`leaderElection.resourceLock: Unsupported value: "${l.resourceLock}": supported values: "leases"`);
  const lease = duration(l.leaseDuration, 'leaderElection.leaseDuration');
  const renew = duration(l.renewDeadline, 'leaderElection.renewDeadline');
  const retry = duration(l.retryPeriod, 'leaderElection.retryPeriod');
  if (l.leaderElect) {
    if (lease <= 0) throw new ConfigurationError('leaderElection.leaseDuration: Invalid value: must be greater than zero');
    if (renew <= 0) throw new ConfigurationError('leaderElection.renewDeadline: Invalid value: must be greater than zero');
    if (retry <= 0) throw new ConfigurationError('leaderElection.retryPeriod: Invalid value: must be greater than zero');
    if (lease <= renew) throw new ConfigurationError('leaderElection.leaseDuration: Invalid value: LeaseDuration must be greater than RenewDeadline');
    if (!l.resourceName) throw new ConfigurationError('leaderElection.resourceName: Required value');
    if (!l.resourceNamespace) throw new ConfigurationError('leaderElection.resourceNamespace: Required value');
  }
  return out;
}
