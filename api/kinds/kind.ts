// A served kind, declared in one module (api/kinds/<group>/<kind>.ts): its resource entry,
// schema, defaults, validation, strategy, printer columns, selectable fields and, for a
// version that is not the stored one, its conversion. The resource table, discovery, routes,
// OpenAPI, Tables and the storage's behaviour are all derived from these modules; adding a
// kind is a new module plus one line in api/kinds/index.ts.
import type { PrinterColumn } from '../printers.js';
import type { Schema } from '../schema/dsl.js';
import type { KubeObject } from '../types/meta.js';
import type { FieldErrors } from '../validation/field-errors.js';
import type { NameRule } from '../validation/object-meta.js';
import type { Strategy } from './strategy.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const NO_COLLECTION_DELETE: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const GET_PATCH_UPDATE = ['get', 'patch', 'update'];
/** The status subresource of `kind`. */
export const statusOf = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: GET_PATCH_UPDATE });
/** The scale subresource (autoscaling/v1 Scale). */
export const scale: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: GET_PATCH_UPDATE };
/** The proxy subresource (pods, services, nodes): every method relayed, each its own verb. */
export const proxyOf = (kind: string): SubresourceInfo => ({ name: 'proxy', kind, verbs: ['create', 'delete', 'get', 'patch', 'update'] });
/** The `all` category (`kubectl get all`). */
export const ALL = ['all'];

/** Field values a field selector can match, by field path. */
export type FieldSet = Record<string, string>;

/** What the apiserver's flags contribute to kinds' strategies. */
export interface StrategyOptions {
  notReadyTolerationSeconds: number;
  unreachableTolerationSeconds: number;
}

export interface KindModule {
  group: string;
  version: string;
  kind: string;
  plural: string;
  /** Default true. */
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Default: every verb. */
  verbs?: readonly Verb[];
  subresources?: SubresourceInfo[];
  /** For a version served but not stored: how objects convert to and from the stored version. */
  conversion?: {
    toStorage(obj: KubeObject): KubeObject;
    fromStorage(obj: KubeObject): KubeObject;
    /**
     * Set when converting means asking someone else (a CRD's conversion webhook): then every
     * conversion goes through this, to and from, and the two above are never called.
     */
    remote?: RemoteConversion;
  };
  /** Field types and unknown-field detection; default: only the envelope is described. */
  schema?: Schema;
  /** Table columns for `kubectl get`; default: Name and Created At. */
  columns?: PrinterColumn[];
  /** How names are checked; default: DNS-1123 subdomain. */
  nameRule?: NameRule;
  /** Fills in defaults, in place, on every write (in the stored version). */
  defaults?(obj: KubeObject): void;
  /**
   * Records what is invalid about the object (create and update). `old`: the stored object, on
   * update (for checks that ratchet, like a custom resource's schema). `requestVersion`: the
   * group/version the write came through ("events.k8s.io/v1"), where a kind holds writes of one
   * version to more than another's, as Kubernetes does events; unset for the server's own writes.
   */
  validate?(obj: KubeObject, errs: FieldErrors, old?: KubeObject, requestVersion?: string): void;
  /** Records what an update may not change (`requestVersion` as for validate). */
  validateUpdate?(next: KubeObject, prev: KubeObject, errs: FieldErrors, requestVersion?: string): void;
  /**
   * Rules that run after the checks above found nothing that blocks them (custom resources'
   * x-kubernetes-validations); `prev` on update.
   */
  validateRules?(obj: KubeObject, prev: KubeObject | undefined, errs: FieldErrors): void;
  /** Loads, before validation, code that validating `obj` needs and that is loaded on demand. */
  loadFor?(obj: KubeObject): Promise<unknown> | undefined;
  /** What a write through pods/ephemeralcontainers may change (only additions to spec.ephemeralContainers). */
  validateEphemeralUpdate?(next: KubeObject, prev: KubeObject, errs: FieldErrors): void;
  /**
   * Objects carry metadata.generation (bumped on spec changes), as Kubernetes' workload,
   * networking and policy kinds and custom resources do; other kinds have none.
   */
  generation?: true;
  /** The storage's kind-specific behaviour; default: defaultStrategy. */
  strategy?: Strategy | ((opts: StrategyOptions) => Strategy);
  /** Selectable fields beyond metadata.name and metadata.namespace. */
  selectableFields?(obj: KubeObject): FieldSet;
  /**
   * A review (TokenReview, SubjectAccessReview, ...): created only, answered by the apiserver
   * with the request's status filled in, never stored.
   */
  review?: true;
  /**
   * Read-only objects the apiserver makes at each get and list, never stored (ComponentStatus:
   * the components' health, probed there and then), sent with `warning` if one is given.
   */
  computed?: { warning?: string };
  /** The apiserver records who created the object in spec.username, uid, groups and extra (CSRs). */
  recordsRequester?: true;
  /**
   * Removes, in place, the fields the kind's schema does not describe and returns their paths
   * (custom resources: Kubernetes prunes them; fieldValidation reports them).
   */
  prune?(obj: Record<string, unknown>): string[];
  /** Where the scale subresource finds replicas and the selector, as simple JSON paths (custom resources). */
  scalePaths?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** Served from a CustomResourceDefinition (JSON only, no strategic merge patch), with the version's schema. */
  custom?: { crdName: string; openAPIV3Schema: Record<string, unknown>; storageVersion?: string };
}

/** Converts objects to `apiVersion` elsewhere (in order, one answer per object); rejects with a StatusError. */
export type RemoteConversion = (objects: KubeObject[], apiVersion: string) => Promise<KubeObject[]>;

/** The text a selectable field compares: nothing for an absent value. */
export function fieldText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v) ?? '';
  return String(v);
}
