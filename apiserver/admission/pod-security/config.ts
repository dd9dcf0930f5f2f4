// The PodSecurity plugin's configuration, read from the apiserver's
// --admission-control-config-file as Kubernetes reads it: an AdmissionConfiguration whose
// PodSecurity entry holds a PodSecurityConfiguration (inline, or in a file it names): the
// levels of namespaces without labels (defaults) and who is never checked (exemptions).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parseYAML } from '../../../api/codec/yaml.js';
import type { Level, LevelVersion } from './policy.js';

export interface PodSecurityConfig {
  defaults: { enforce: LevelVersion; audit: LevelVersion; warn: LevelVersion };
  exemptions: { usernames: string[]; runtimeClasses: string[]; namespaces: string[] };
}

export const DEFAULT_POD_SECURITY_CONFIG: PodSecurityConfig = {
  defaults: { enforce: { level: 'privileged' }, audit: { level: 'privileged' }, warn: { level: 'privileged' } },
  exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
};

const LEVELS = ['privileged', 'baseline', 'restricted'];
const ADMISSION_CONFIG_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1alpha1', 'apiserver.k8s.io/v1alpha1'];
const POD_SECURITY_VERSIONS = ['pod-security.admission.config.k8s.io/v1', 'pod-security.admission.config.k8s.io/v1beta1', 'pod-security.admission.config.k8s.io/v1alpha1'];

/** "latest" or "v1.N" as a minor version (undefined for latest); throws otherwise. */
function minorOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === 'latest' || value === '') return undefined;
  const m = typeof value === 'string' ? /^v1\.(0|[1-9][0-9]*)$/.exec(value) : null;
  if (!m) throw new Error(`${field}: Invalid value: ${JSON.stringify(value)}: must be "latest" or "v1.x"`);
  return Number(m[1]);
}

function levelOf(value: unknown, field: string): Level {
  if (value === undefined || value === '') return 'privileged';
  if (typeof value !== 'string' || !LEVELS.includes(value)) throw new Error(`${field}: Unsupported value: ${JSON.stringify(value)}: supported values: "privileged", "baseline", "restricted"`);
  return value as Level;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new Error(`${field}: must be a list of non-empty strings`);
  return value as string[];
}

/** A PodSecurityConfiguration object; throws with the field that is wrong. */
export function parsePodSecurityConfiguration(doc: unknown): PodSecurityConfig {
  const o = (doc ?? {}) as Record<string, any>;
  if (o.kind !== 'PodSecurityConfiguration' || !POD_SECURITY_VERSIONS.includes(o.apiVersion)) {
    throw new Error(`expected a PodSecurityConfiguration (${POD_SECURITY_VERSIONS.join(', ')}), got ${o.apiVersion ?? '?'} ${o.kind ?? '?'}`);
  }
  const d = (o.defaults ?? {}) as Record<string, unknown>;
  const mode = (m: 'enforce' | 'audit' | 'warn'): LevelVersion => {
    const minor = minorOf(d[`${m}-version`], `defaults.${m}-version`);
    return { level: levelOf(d[m], `defaults.${m}`), ...(minor === undefined ? {} : { minor }) };
  };
  const e = (o.exemptions ?? {}) as Record<string, unknown>;
  return {
    defaults: { enforce: mode('enforce'), audit: mode('audit'), warn: mode('warn') },
    exemptions: {
      usernames: stringList(e.usernames, 'exemptions.usernames'),
      runtimeClasses: stringList(e.runtimeClasses, 'exemptions.runtimeClasses'),
      namespaces: stringList(e.namespaces, 'exemptions.namespaces'),
    },
  };
}

/**
 * The plugin configurations of an AdmissionConfiguration file, by plugin name: each entry's
 * `configuration`, or the YAML/JSON file its `path` names (relative to the file).
 */
export function readAdmissionConfiguration(file: string): Map<string, unknown> {
  const doc = parseYAML(readFileSync(file, 'utf8')) as Record<string, any> | null;
  if (!doc || doc.kind !== 'AdmissionConfiguration' || !ADMISSION_CONFIG_VERSIONS.includes(doc.apiVersion)) {
    throw new Error(`${file}: expected an AdmissionConfiguration (${ADMISSION_CONFIG_VERSIONS.join(', ')})`);
  }
  const out = new Map<string, unknown>();
  for (const [i, p] of (Array.isArray(doc.plugins) ? doc.plugins : []).entries()) {
    if (!p || typeof p.name !== 'string' || !p.name) throw new Error(`${file}: plugins[${i}].name: Required value`);
    if (p.configuration !== undefined) out.set(p.name, p.configuration);
    else if (typeof p.path === 'string' && p.path) {
      const path = isAbsolute(p.path) ? p.path : join(dirname(file), p.path);
      out.set(p.name, parseYAML(readFileSync(path, 'utf8')));
    }
  }
  return out;
}

/** The PodSecurity configuration in an admission configuration file (Kubernetes' defaults where it has none). */
export function podSecurityConfigFrom(file: string | undefined): PodSecurityConfig {
  if (!file) return DEFAULT_POD_SECURITY_CONFIG;
  const entry = readAdmissionConfiguration(file).get('PodSecurity');
  if (entry === undefined) return DEFAULT_POD_SECURITY_CONFIG;
  try {
    return parsePodSecurityConfiguration(entry);
  } catch (err) {
    throw new Error(`${file}: PodSecurity: ${(err as Error).message}`);
  }
}
