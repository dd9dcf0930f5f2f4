// PersistentVolumeClaim rules, as Kubernetes checks them: a claim's spec (also a generic
// ephemeral volume's template) and what an update may change: the volume name once (the binder
// sets it) and, for a bound claim, a larger storage request; nothing else.
import { deepEqual } from '../codec/values.js';
import { parseQuantity } from '../quantity.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { dns1123Subdomain, qualifiedName } from './names.js';
import { validateAnnotations, validateLabels } from './object-meta.js';
import { validateLabelSelector } from './label-selector.js';
import { validateResourceList } from './resource-list.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

/** A claim's or a volume's access modes: at least one, known, and ReadWriteOncePod alone. */
export function validateAccessModes(value: unknown, field: string, errs: FieldErrors): void {
  const modes: unknown[] = Array.isArray(value) ? value : [];
  if (modes.length === 0) errs.required(field, 'at least 1 access mode is required');
  let podOnly = false;
  let other = false;
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode as string)) errs.notSupported(field, mode, ACCESS_MODES);
    else if (mode === 'ReadWriteOncePod') podOnly = true;
    else other = true;
  }
  if (podOnly && other) errs.forbidden(field, 'may not use ReadWriteOncePod with other access modes');
}

export function validateClaimSpec(spec: Unstructured | undefined, field: string, errs: FieldErrors): void {
  const s = spec ?? {};
  validateAccessModes(s.accessModes, `${field}.accessModes`, errs);
  if (s.selector) validateLabelSelector(s.selector, `${field}.selector`, errs);
  const storage = s.resources?.requests?.storage;
  if (storage === undefined) errs.required(`${field}.resources[storage]`);
  else if (!((parseQuantity(storage) ?? 0) > 0)) errs.invalid(`${field}.resources[storage]`, String(storage), 'must be greater than zero');
  // Limits are quantities too, never negative, and no request above its limit.
  const limits = s.resources?.limits;
  validateResourceList(limits, `${field}.resources.limits`, errs);
  if (limits && typeof limits === 'object') {
    for (const [name, request] of Object.entries((s.resources?.requests ?? {}) as Record<string, unknown>)) {
      const limit = (limits as Record<string, unknown>)[name];
      const r = parseQuantity(request as string);
      const l = parseQuantity(limit as string);
      if (r !== undefined && l !== undefined && r > l) errs.invalid(`${field}.resources.requests`, request, `must be less than or equal to ${name} limit of ${String(limit)}`);
    }
  }
  if (typeof s.storageClassName === 'string' && s.storageClassName) errs.format(`${field}.storageClassName`, s.storageClassName, dns1123Subdomain(s.storageClassName));
  if (s.volumeMode !== undefined && s.volumeMode !== null && !VOLUME_MODES.includes(s.volumeMode)) errs.notSupported(`${field}.volumeMode`, s.volumeMode, VOLUME_MODES);
  for (const ref of ['dataSource', 'dataSourceRef'] as const) {
    const source = s[ref] as Unstructured | undefined;
    if (!source) continue;
    if (!source.name) errs.required(`${field}.${ref}.name`);
    if (!source.kind) errs.required(`${field}.${ref}.kind`);
    else if (!source.apiGroup && source.kind !== 'PersistentVolumeClaim') errs.invalid(`${field}.${ref}`, source.kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup");
  }
}

/** A claim template's metadata (a generic ephemeral volume's): labels and annotations only. */
function validateTemplateMeta(meta: Unstructured | undefined, field: string, errs: FieldErrors): void {
  if (!meta) return;
  validateAnnotations(meta.annotations, `${field}.annotations`, errs);
  validateLabels(meta.labels, `${field}.labels`, errs);
  for (const [k, v] of Object.entries(meta)) {
    if (k !== 'labels' && k !== 'annotations' && v !== undefined && v !== null && v !== '') errs.forbidden(`${field}.${k}`, 'cannot be set for an ephemeral volume');
  }
}

/** A pod's generic ephemeral volume. */
export function validateEphemeralVolume(ephemeral: Unstructured, field: string, errs: FieldErrors): void {
  const template = ephemeral.volumeClaimTemplate as Unstructured | undefined;
  if (!template) {
    errs.required(`${field}.volumeClaimTemplate`);
    return;
  }
  validateTemplateMeta(template.metadata, `${field}.volumeClaimTemplate.metadata`, errs);
  validateClaimSpec(template.spec, `${field}.volumeClaimTemplate.spec`, errs);
}

/** Where a resize of a claim's resource can be (RecoverVolumeExpansionFailure, 1.32). */
const RESIZE_STATUSES = ['ControllerResizeInProgress', 'ControllerResizeInfeasible', 'NodeResizeInProgress', 'NodeResizeInfeasible', 'NodeResizePending'];

/** A key of allocatedResources or allocatedResourceStatuses: storage, or a resource of a domain other than Kubernetes'. */
function validateResourceKey(key: string, field: string, errs: FieldErrors): boolean {
  const problems = qualifiedName(key);
  if (problems.length) {
    for (const problem of problems) errs.invalid(field, key, problem);
    return false;
  }
  const slash = key.indexOf('/');
  const native = slash < 0 || key.slice(0, slash) === 'kubernetes.io' || key.slice(0, slash).endsWith('.kubernetes.io');
  if (native && key !== 'storage') {
    errs.notSupported(field, key, ['storage']);
    return false;
  }
  return true;
}

/**
 * What a resizer writes in a claim's status, checked when it changes (old claims with values
 * from before are not held to it): known resources, known resize states, sizes of at least 0.
 */
function validateResizeStatus(next: Unstructured | undefined, prev: Unstructured | undefined, errs: FieldErrors): void {
  const statuses = next?.allocatedResourceStatuses;
  if (statuses && typeof statuses === 'object' && !deepEqual(statuses, prev?.allocatedResourceStatuses)) {
    for (const [key, state] of Object.entries(statuses as Record<string, unknown>)) {
      const field = `status.allocatedResourceStatuses[${key}]`;
      if (validateResourceKey(key, field, errs) && !RESIZE_STATUSES.includes(state as string)) errs.notSupported(field, state, RESIZE_STATUSES);
    }
  }
  const allocated = next?.allocatedResources;
  if (allocated && typeof allocated === 'object' && !deepEqual(allocated, prev?.allocatedResources)) {
    for (const [key, size] of Object.entries(allocated as Record<string, unknown>)) {
      const field = `status.allocatedResources[${key}]`;
      if (validateResourceKey(key, field, errs) && (parseQuantity(String(size)) ?? 0) < 0) errs.invalid(field, size, 'must be greater than or equal to 0');
    }
  }
}

export function validateClaimUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  validateResizeStatus(next.status as Unstructured | undefined, prev.status as Unstructured | undefined, errs);
  const nextSpec = { ...(next.spec ?? {}) } as Unstructured;
  const prevSpec = { ...(prev.spec ?? {}) } as Unstructured;
  // The binder names the volume once.
  if (!prevSpec.volumeName) prevSpec.volumeName = nextSpec.volumeName;
  const prevStorage = prevSpec.resources?.requests?.storage;
  const nextStorage = nextSpec.resources?.requests?.storage;
  // A bound claim may ask for more storage (an expansion).
  if (next.status?.phase === 'Bound' && nextSpec.resources?.requests) {
    nextSpec.resources = { ...nextSpec.resources, requests: { ...nextSpec.resources.requests, storage: prevStorage } };
  }
  delete nextSpec.volumeAttributesClassName;
  delete prevSpec.volumeAttributesClassName;
  if (!deepEqual(nextSpec, prevSpec)) errs.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  const before = parseQuantity(prevStorage);
  const after = parseQuantity(nextStorage);
  // A smaller request undoes an expansion that has not happened (RecoverVolumeExpansionFailure,
  // on by default since 1.32), never below what the volume already has: volumes do not shrink.
  if (before !== undefined && after !== undefined && after < before && after <= (parseQuantity(prev.status?.capacity?.storage) ?? 0)) {
    errs.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity');
  }
}
