// Names of compute resources ("cpu", "hugepages-2Mi", "example.com/gpu") as Kubernetes judges
// them: which a container may ask for, which may be overcommitted, which count whole units.
import type { FieldErrors } from './field-errors.js';
import { qualifiedName } from './names.js';

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

export const isHugePages = (name: string): boolean => name.startsWith('hugepages-');

/** Unprefixed, or in a kubernetes.io domain: a resource Kubernetes itself defines. */
export const isNativeResource = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

/** A resource a device plugin or operator adds ("example.com/gpu"): counted in whole units, never overcommitted. */
export function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return qualifiedName(`requests.${name}`).length === 0;
}

/** Whether a request may be below its limit: native resources other than huge pages. */
export const isOvercommitAllowed = (name: string): boolean => isNativeResource(name) && !isHugePages(name);

/** The name of a resource in a container's limits or requests. */
export function validateContainerResourceName(name: string, field: string, errs: FieldErrors): void {
  const problems = qualifiedName(name);
  errs.format(field, name, problems);
  const unprefixed = !name.includes('/');
  if (problems.length === 0 && unprefixed && !STANDARD_RESOURCES.has(name) && !name.startsWith('requests.hugepages-') && !isHugePages(name)) {
    errs.invalid(field, name, 'must be a standard resource type or fully qualified');
  }
  if (unprefixed) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.invalid(field, name, 'must be a standard resource for containers');
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.invalid(field, name, "doesn't follow extended resource name standard");
  }
}
