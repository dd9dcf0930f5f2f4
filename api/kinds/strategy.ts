// What differs between kinds in the storage's create/update/delete flow: pure functions over
// objects, declared by each kind module (api/kinds/). A kind with none gets the default.
import { assignOwn, clone, deepEqual } from '../codec/values.js';
import type { DeleteOptions, KubeObject } from '../types/meta.js';
import { goTopField } from '../protobuf/go-json.js';
import { goFields, goZero } from '../protobuf/go-zero.js';
import { messageOf } from '../protobuf/schema.js';

export interface Strategy {
  /** Kinds whose `status` is written only through the status subresource. */
  hasStatus: boolean;
  /** Resets what a client may not set on create (e.g. status). */
  prepareForCreate(obj: KubeObject): void;
  /** Carries over what a main-resource update may not change (e.g. status). */
  prepareForUpdate(next: KubeObject, prev: KubeObject): void;
  /** Carries over what a status update may not change (everything but status). */
  prepareForStatusUpdate(next: KubeObject, prev: KubeObject): void;
  /** Whether a PUT to a missing object creates it. */
  allowCreateOnUpdate: boolean;
  /** Whether an update that names no resourceVersion (or "0") is applied unconditionally; if not, it is refused. */
  allowUnconditionalUpdate: boolean;
  /**
   * The grace period this delete should honour; 0 deletes at once. Kinds without graceful
   * deletion return 0.
   */
  gracePeriod(obj: KubeObject, options: DeleteOptions): number;
  /** Whether a DELETE answers with the object (true) or a Success Status (false). */
  returnDeletedObject: boolean;
  /** Applies a pending delete to the object itself (e.g. a namespace becomes Terminating); returns true if it must be kept. */
  beginDelete?(obj: KubeObject): boolean;
  /** Kind-specific conditions for removing a deleting object once its finalizers are gone. */
  readyToRemove?(obj: KubeObject): boolean;
}

/**
 * A spec change bumps metadata.generation; metadata and status changes do not. Specs are
 * compared as Kubernetes compares its Go values: `hostNetwork: false` is no change from none.
 */
export function bumpGenerationOnSpecChange(next: KubeObject, prev: KubeObject, specFields: string[] = ['spec']): void {
  const changed = specFields.some((f) => !deepEqual(goTopField(next, f), goTopField(prev, f)));
  next.metadata.generation = (prev.metadata.generation ?? 1) + (changed ? 1 : 0);
}

export const defaultStrategy: Strategy = {
  hasStatus: false,
  prepareForCreate(obj) {
    obj.metadata.generation = 1;
  },
  prepareForUpdate(next, prev) {
    bumpGenerationOnSpecChange(next, prev, Object.keys({ ...next, ...prev }).filter((k) => !['metadata', 'status', 'apiVersion', 'kind'].includes(k)));
  },
  prepareForStatusUpdate(next, prev) {
    const status = next.status;
    assignOwn(next, clone(prev));
    next.status = status;
  },
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: true,
  gracePeriod: () => 0,
  returnDeletedObject: false,
};

/**
 * Most kinds have no metadata.generation in Kubernetes (ConfigMaps, Secrets, Services, Pods
 * in 1.32, Nodes, Namespaces, RBAC, ...): only those whose controllers report an
 * observedGeneration keep one. This strips it from a strategy that would set it.
 */
export function withoutGeneration(s: Strategy): Strategy {
  return {
    ...s,
    prepareForCreate(obj) {
      s.prepareForCreate(obj);
      delete obj.metadata.generation;
    },
    prepareForUpdate(next, prev) {
      s.prepareForUpdate(next, prev);
      delete next.metadata.generation;
    },
    prepareForStatusUpdate(next, prev) {
      s.prepareForStatusUpdate(next, prev);
      delete next.metadata.generation;
    },
  };
}

/**
 * What a create may not set of the status: all of it. Kubernetes resets a built-in kind's
 * status to its Go zero value and writes that as Go does: `status: {}` for a Deployment,
 * `{replicas: 0}` for a ReplicaSet, a DaemonSet's four counts... (clients read an empty status,
 * not none: a Python client's `resp.status.replicas` is None or 0 as on Kubernetes, not an
 * AttributeError).
 */
export function resetStatus(obj: KubeObject): void {
  const message = obj.apiVersion && obj.kind ? messageOf(obj.apiVersion, obj.kind) : undefined;
  const status = message ? goFields(message)?.get('status')?.message : undefined;
  obj.status = status ? goZero(status) : {};
}

/** A create for volumes and claims: they start Pending until the volume controller moves them on. */
export function startPending(obj: KubeObject): void {
  obj.metadata.generation = 1;
  obj.status = { phase: 'Pending' };
}

/** Kinds with a spec and a status subresource: each half is written only through its own endpoint. */
export function withStatus(overrides: Partial<Strategy> = {}): Strategy {
  return {
    ...defaultStrategy,
    hasStatus: true,
    prepareForCreate(obj) {
      obj.metadata.generation = 1;
      resetStatus(obj);
    },
    prepareForUpdate(next, prev) {
      if (prev.status !== undefined) next.status = clone(prev.status);
      else delete next.status;
      bumpGenerationOnSpecChange(next, prev);
    },
    prepareForStatusUpdate(next, prev) {
      const status = next.status;
      const { metadata } = next;
      for (const k of Object.keys(next)) delete next[k];
      assignOwn(next, clone(prev));
      next.status = status;
      // Status writers may still set labels and annotations, as in Kubernetes.
      next.metadata = { ...next.metadata, labels: metadata.labels ?? prev.metadata.labels, annotations: metadata.annotations ?? prev.metadata.annotations };
    },
    ...overrides,
  };
}
