// --encryption-provider-config: Kubernetes' EncryptionConfiguration
// (apiserver.config.k8s.io/v1), JSON or YAML. Each rule names resources (`secrets`,
// `deployments.apps`, `*.apps`, `*.*`) and an ordered list of providers: the first encrypts
// every write, all of them read.
import { parseYAML } from '../../../api/codec/yaml.js';
import { aescbc, aesgcm, identity, secretbox, type Provider } from './providers.js';

export interface EncryptionRule {
  resources: string[];
  providers: Provider[];
}

type Raw = Record<string, unknown>;

function keysOf(type: string, conf: unknown): Array<{ name: string; secret: Buffer }> {
  const keys = (conf as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${type}: at least one key is required`);
  return keys.map((k: unknown, i) => {
    const { name, secret } = (k ?? {}) as { name?: unknown; secret?: unknown };
    if (typeof name !== 'string' || !name) throw new Error(`${type}.keys[${i}].name is required`);
    if (typeof secret !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new Error(`${type}.keys[${i}].secret must be base64`);
    return { name, secret: Buffer.from(secret, 'base64') };
  });
}

export function parseEncryptionConfig(text: string): EncryptionRule[] {
  const doc = parseYAML(text) as Raw | null;
  if (!doc || doc.kind !== 'EncryptionConfiguration' || doc.apiVersion !== 'apiserver.config.k8s.io/v1') {
    throw new Error('expected kind EncryptionConfiguration, apiVersion apiserver.config.k8s.io/v1');
  }
  const rules = doc.resources;
  if (!Array.isArray(rules) || rules.length === 0) throw new Error('resources: at least one rule is required');
  return rules.map((rule: unknown, i) => {
    const r = (rule ?? {}) as Raw;
    if (!Array.isArray(r.resources) || !r.resources.length || r.resources.some((x) => typeof x !== 'string')) throw new Error(`resources[${i}].resources: a list of resource names is required`);
    if (!Array.isArray(r.providers) || !r.providers.length) throw new Error(`resources[${i}].providers: at least one provider is required`);
    const providers = (r.providers as Raw[]).flatMap((p, j): Provider[] => {
      const types = Object.keys(p ?? {});
      if (types.length !== 1) throw new Error(`resources[${i}].providers[${j}]: exactly one provider type per entry`);
      const type = types[0]!;
      switch (type) {
        case 'identity':
          return [identity];
        case 'aescbc':
          return keysOf(type, p[type]).map((k) => aescbc(k.name, k.secret));
        case 'aesgcm':
          return keysOf(type, p[type]).map((k) => aesgcm(k.name, k.secret));
        case 'secretbox':
          return keysOf(type, p[type]).map((k) => secretbox(k.name, k.secret));
        default:
          throw new Error(`resources[${i}].providers[${j}]: provider ${type} is not supported (aescbc, aesgcm, secretbox, identity)`);
      }
    });
    return { resources: r.resources as string[], providers };
  });
}

/** The providers for a resource (plural and API group), by the first rule that names it. */
export function providersFor(rules: EncryptionRule[], plural: string, group: string): Provider[] | undefined {
  const full = group ? `${plural}.${group}` : plural;
  for (const rule of rules) {
    for (const name of rule.resources) {
      if (name === full || name === '*.*' || (name === '*.' && !group) || (name.startsWith('*.') && group && name === `*.${group}`)) return rule.providers;
    }
  }
  return undefined;
}
