// Which registry credentials an image is pulled with: those of the pod's image pull secrets
// (a `.dockerconfigjson` or `.dockercfg` key, whatever the Secret's type), matched to the
// image as Kubernetes' kubelet keyring matches them. A key names a registry host, optionally a
// path below it, with `*` allowed in host labels (`*.example.com`); the most specific keys come
// first; images without a registry host are Docker Hub's and also match the keys Docker writes
// for it (index.docker.io/v1/). The kubelet tries each matching credential in turn and pulls
// anonymously only when none matches.
import type { Secret } from '../../api/types/core.js';
import type { RegistryAuth } from '../runtime/runtime.js';

interface Entry {
  username?: unknown;
  password?: unknown;
  auth?: unknown;
  email?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
}

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

/** Decodes a secret's value (base64 in `data`), or undefined when it is not there or not text. */
function value(secret: Secret, key: string): string | undefined {
  const encoded = secret.data?.[key];
  if (typeof encoded !== 'string' || !encoded) return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The registry entries of a secret: `.dockerconfigjson` (its `auths`) first, else `.dockercfg`. */
function entriesOf(secret: Secret): Array<[string, Entry]> {
  const json = parseObject(value(secret, '.dockerconfigjson'));
  const auths = json ? json.auths : parseObject(value(secret, '.dockercfg'));
  if (!auths || typeof auths !== 'object' || Array.isArray(auths)) return [];
  return Object.entries(auths as Record<string, unknown>).filter((e): e is [string, Entry] => !!e[1] && typeof e[1] === 'object' && !Array.isArray(e[1]));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

interface Location {
  host: string;
  port: string;
  path: string;
}

/** A key or image reference read as a URL without a scheme (https assumed), or undefined if it is not one. */
function location(text: string): Location | undefined {
  try {
    const url = new URL(/^https?:\/\//.test(text) ? text : `https://${text}`);
    return { host: url.hostname, port: url.port, path: decodeURIComponent(url.pathname) };
  } catch {
    return undefined;
  }
}

/** The keyring key of a config entry: its host, and its path when there is one below /v1/ or /v2/. */
function keyOf(loc: string): string | undefined {
  const parsed = location(loc);
  if (!parsed) return undefined;
  let path = parsed.path;
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  const host = parsed.port ? `${parsed.host}:${parsed.port}` : parsed.host;
  return path && path !== '/' ? host + path : host;
}

/** Whether a host label matches a key's label, where `*` stands for any run of characters. */
function labelMatches(glob: string, label: string): boolean {
  if (!glob.includes('*')) return glob === label;
  const pattern = glob.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(label);
}

/** Whether a key (`*.example.com:5000/team`) covers an image repository (`registry.example.com:5000/team/app`). */
function keyMatches(key: string, repository: string): boolean {
  const k = location(key);
  const r = location(repository);
  if (!k || !r || k.port !== r.port) return false;
  const kl = k.host.split('.');
  const rl = r.host.split('.');
  if (kl.length !== rl.length || !kl.every((l, i) => labelMatches(l, rl[i]!))) return false;
  return r.path.startsWith(k.path);
}

/** The repository an image names, Docker's way: `busybox` is docker.io/library/busybox; no tag or digest. */
export function repositoryOf(image: string): string {
  let name = image;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const first = name.split('/')[0]!;
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return name;
  return name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
}

function isDockerHub(repository: string): boolean {
  const first = repository.split('/')[0]!;
  return first === 'docker.io' || first === 'index.docker.io';
}

/**
 * The credentials to pull `image` with, in the order to try them, from `secrets` (the pod's
 * image pull secrets, in the pod's order); empty when none matches (pull anonymously).
 */
export function credentialsFor(image: string, secrets: Secret[]): RegistryAuth[] {
  const repository = repositoryOf(image);
  const registry = repository.split('/')[0]!;
  const byKey = new Map<string, RegistryAuth[]>();
  for (const secret of secrets) {
    for (const [loc, e] of entriesOf(secret)) {
      const key = keyOf(loc);
      if (!key) continue;
      let username = str(e.username);
      let password = str(e.password);
      // Docker's legacy form: "auth" is base64 of user:password.
      const auth = str(e.auth);
      if (!username && !password && auth) {
        const decoded = Buffer.from(auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
      }
      const cred: RegistryAuth = { serveraddress: registry };
      if (username) cred.username = username;
      if (password) cred.password = password;
      for (const field of ['email', 'identitytoken', 'registrytoken'] as const) {
        const v = str(e[field]);
        if (v) cred[field] = v;
      }
      const list = byKey.get(key) ?? [];
      list.push(cred);
      byKey.set(key, list);
    }
  }
  // The most specific keys first: reverse lexical order puts registry.example.com/team before registry.example.com.
  const keys = [...byKey.keys()].sort().reverse();
  const matched = keys.filter((k) => keyMatches(k, repository)).flatMap((k) => byKey.get(k)!);
  if (matched.length) return matched;
  if (isDockerHub(repository)) return byKey.get(DEFAULT_REGISTRY_HOST) ?? [];
  return [];
}
