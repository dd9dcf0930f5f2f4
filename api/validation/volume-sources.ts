// What each pod volume source must hold, as Kubernetes checks it: the paths the kubelet writes
// files at stay inside the volume, file modes are modes, references name what they refer to,
// and downward API fields are ones the kubelet can fill. Also the downward API selectors of
// environment variables, which follow the same rules.
import { objectItems } from '../codec/values.js';
import { parseQuantity } from '../quantity.js';
import type { Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { qualifiedName } from './names.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
/** Pod fields a volume file may hold (labels and annotations also one key each: `metadata.labels['k']`). */
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
/** Pod fields an environment variable may hold. */
export const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
/** Field paths the v1 Pod field-label conversion knows; anything else is an error converting it. */
const POD_FIELD_LABELS = new Set([
  'metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.annotations', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
  'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName', 'status.hostIP', 'status.hostIPs',
]);
const RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const CPU_DIVISORS = ['1m', '1'];
const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
/** The longest and shortest lives a projected service account token may ask for. */
const TOKEN_MIN_SECONDS = 600;
const TOKEN_MAX_SECONDS = 2 ** 32;

const present = (v: unknown): v is Unstructured => v !== undefined && v !== null && typeof v === 'object';

/** A path with no `..` element (hostPath and PV paths, which may be absolute). */
export function validatePathNoBacksteps(path: unknown, field: string, errs: FieldErrors): void {
  if (typeof path === 'string' && path.split('/').includes('..')) errs.invalid(field, path, "must not contain '..'");
}

/** A path inside a volume: relative, and never climbing out. */
export function validateLocalDescendingPath(path: unknown, field: string, errs: FieldErrors): void {
  if (typeof path !== 'string') return;
  if (path.startsWith('/')) errs.invalid(field, path, 'must be a relative path');
  validatePathNoBacksteps(path, field, errs);
}

/** A file a volume projects: also never `..something`, the names the kubelet's atomic writer keeps for itself. */
function validateLocalNonReservedPath(path: unknown, field: string, errs: FieldErrors): void {
  validateLocalDescendingPath(path, field, errs);
  if (typeof path === 'string' && path.startsWith('..') && !path.startsWith('../')) errs.invalid(field, path, "must not start with '..'");
}

function validateFileMode(mode: unknown, field: string, errs: FieldErrors): void {
  if (mode === undefined || mode === null) return;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) errs.invalid(field, mode, FILE_MODE_ERROR);
}

function validateKeyToPath(item: Unstructured, field: string, errs: FieldErrors): void {
  if (!item?.key) errs.required(`${field}.key`);
  if (!item?.path) errs.required(`${field}.path`);
  validateLocalNonReservedPath(item?.path, `${field}.path`, errs);
  validateFileMode(item?.mode, `${field}.mode`, errs);
}

/** A `fieldRef`: a Pod field of v1 the place it feeds may hold. */
export function validateObjectFieldSelector(ref: Unstructured, allowed: readonly string[], field: string, errs: FieldErrors): void {
  if (!ref.apiVersion) return errs.required(`${field}.apiVersion`);
  if (!ref.fieldPath) return errs.required(`${field}.fieldPath`);
  const path = String(ref.fieldPath);
  const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/s.exec(path);
  const base = subscripted ? subscripted[1]! : path;
  if (ref.apiVersion !== 'v1' || (!POD_FIELD_LABELS.has(base) && !subscripted)) {
    return errs.invalid(`${field}.fieldPath`, path, `error converting fieldPath: field label not supported: ${path}`);
  }
  if (subscripted) {
    // Only labels and annotations take a key, and only where the whole map could go too.
    const key = subscripted[2]!;
    errs.format(field, key, qualifiedName(base === 'metadata.annotations' ? key.toLowerCase() : key));
    return;
  }
  if (!allowed.includes(path)) errs.notSupported(`${field}.fieldPath`, path, [...allowed]);
}

/** A `resourceFieldRef`: a container's request or limit, in a unit that resource is counted in. */
export function validateResourceFieldSelector(ref: Unstructured, field: string, errs: FieldErrors, inVolume: boolean): void {
  const resource = ref.resource;
  if (inVolume && !ref.containerName) errs.required(`${field}.containerName`);
  else if (!resource) errs.required(`${field}.resource`);
  else if (!RESOURCE_FIELDS.includes(resource) && !/^(limits|requests)\.hugepages-/.test(resource)) errs.notSupported(`${field}.resource`, resource, RESOURCE_FIELDS);
  const divisor = ref.divisor;
  if (divisor === undefined || divisor === null || parseQuantity(divisor) === 0) return;
  const units = resource === 'limits.cpu' || resource === 'requests.cpu' ? CPU_DIVISORS : BYTE_DIVISORS;
  const what = units === CPU_DIVISORS ? 'cpu' : String(resource).endsWith('memory') ? 'memory' : 'local ephemeral storage';
  if (!units.some((u) => parseQuantity(u) === parseQuantity(divisor))) errs.invalid(`${field}.divisor`, divisor, `only divisor's values ${units.join(', ')} are supported with the ${what} resource`);
}

function validateDownwardAPIFile(file: Unstructured, field: string, errs: FieldErrors): void {
  if (!file?.path) errs.required(`${field}.path`);
  validateLocalNonReservedPath(file?.path, `${field}.path`, errs);
  if (present(file?.fieldRef)) {
    validateObjectFieldSelector(file.fieldRef, VOLUME_FIELD_PATHS, `${field}.fieldRef`, errs);
    if (present(file.resourceFieldRef)) errs.invalid(field, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously');
  } else if (present(file?.resourceFieldRef)) validateResourceFieldSelector(file.resourceFieldRef, `${field}.resourceFieldRef`, errs, true);
  else errs.required(field, 'one of fieldRef and resourceFieldRef is required');
  validateFileMode(file?.mode, `${field}.mode`, errs);
}

/** A projected volume's sources: one kind each, and no two files at one path. */
function validateProjected(projected: Unstructured, field: string, errs: FieldErrors): void {
  validateFileMode(projected.defaultMode, `${field}.defaultMode`, errs);
  const paths = new Set<string>();
  const claim = (path: unknown, at: string) => {
    if (typeof path !== 'string' || !path) return;
    if (paths.has(path)) errs.invalid(at, path, 'conflicting duplicate paths');
    paths.add(path);
  };
  objectItems(projected.sources).forEach((source, i) => {
    const sf = `${field}.sources[${i}]`;
    const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => present(source?.[k]));
    if (kinds.length > 1) errs.forbidden(sf, 'may not specify more than 1 volume type per source');
    for (const kind of ['secret', 'configMap'] as const) {
      const s = source?.[kind];
      if (!present(s)) continue;
      if (!s.name) errs.required(`${sf}.${kind}.name`);
      objectItems(s.items).forEach((item, j) => {
        validateKeyToPath(item, `${sf}.${kind}.items[${j}]`, errs);
        claim(item?.path, `${sf}.${kind}.items[${j}].path`);
      });
    }
    if (present(source?.downwardAPI)) {
      objectItems(source.downwardAPI.items).forEach((item, j) => {
        validateDownwardAPIFile(item, `${sf}.downwardAPI.items[${j}]`, errs);
        claim(item?.path, `${sf}.downwardAPI.items[${j}].path`);
      });
    }
    const token = source?.serviceAccountToken;
    if (present(token)) {
      const seconds = token.expirationSeconds;
      if (typeof seconds === 'number' && seconds < TOKEN_MIN_SECONDS) errs.invalid(`${sf}.serviceAccountToken.expirationSeconds`, seconds, 'may not specify a duration less than 10 minutes');
      else if (typeof seconds === 'number' && seconds > TOKEN_MAX_SECONDS) errs.invalid(`${sf}.serviceAccountToken.expirationSeconds`, seconds, 'may not specify a duration larger than 2^32 seconds');
      if (!token.path) errs.required(`${sf}.serviceAccountToken.path`);
      else validateLocalNonReservedPath(token.path, `${sf}.serviceAccountToken.path`, errs);
      claim(token.path, `${sf}.serviceAccountToken.path`);
    }
  });
}

/** A hostPath source (a pod's volume or a PersistentVolume): a path with no `..`, a type the kubelet checks for. */
export function validateHostPath(hostPath: Unstructured, field: string, errs: FieldErrors): void {
  if (!hostPath.path) return errs.required(`${field}.path`);
  validatePathNoBacksteps(hostPath.path, `${field}.path`, errs);
  const type = hostPath.type;
  if (type !== undefined && type !== null && !HOST_PATH_TYPES.includes(type)) errs.notSupported(`${field}.type`, type, HOST_PATH_TYPES);
}

/** One volume's source, whichever it is (that there is exactly one is checked by the caller). */
export function validateVolumeSource(v: Unstructured, field: string, errs: FieldErrors): void {
  if (present(v.emptyDir)) {
    const limit = v.emptyDir.sizeLimit;
    if (limit !== undefined && limit !== null && (parseQuantity(limit) ?? 0) < 0) errs.forbidden(`${field}.emptyDir.sizeLimit`, 'SizeLimit field must be a valid resource quantity');
  }
  if (present(v.hostPath)) validateHostPath(v.hostPath, `${field}.hostPath`, errs);
  for (const [kind, nameField] of [['configMap', 'name'], ['secret', 'secretName']] as const) {
    const s = v[kind];
    if (!present(s)) continue;
    if (!s[nameField]) errs.required(`${field}.${kind}.${nameField}`);
    validateFileMode(s.defaultMode, `${field}.${kind}.defaultMode`, errs);
    objectItems(s.items).forEach((item, i) => validateKeyToPath(item, `${field}.${kind}.items[${i}]`, errs));
  }
  if (present(v.downwardAPI)) {
    validateFileMode(v.downwardAPI.defaultMode, `${field}.downwardAPI.defaultMode`, errs);
    objectItems(v.downwardAPI.items).forEach((item, i) => validateDownwardAPIFile(item, `${field}.downwardAPI.items[${i}]`, errs));
  }
  if (present(v.projected)) validateProjected(v.projected, `${field}.projected`, errs);
  if (present(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) errs.required(`${field}.persistentVolumeClaim.claimName`);
  if (present(v.nfs)) {
    if (!v.nfs.server) errs.required(`${field}.nfs.server`);
    if (!v.nfs.path) errs.required(`${field}.nfs.path`);
    if (typeof v.nfs.path !== 'string' || !v.nfs.path.startsWith('/')) errs.invalid(`${field}.nfs.path`, v.nfs.path ?? '', 'must be an absolute path');
  }
}
