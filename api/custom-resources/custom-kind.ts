// What a CustomResourceDefinition serves: one resource per served version, each with a kind
// module made from the CRD (schema validation, pruning and defaulting, printer columns,
// status and scale subresources, apiVersion conversion to the storage version).
import { clone } from '../codec/values.js';
import { ageSince } from '../duration.js';
import { ALL_VERBS, fieldText, scale, statusOf, type KindModule, type RemoteConversion, type SubresourceInfo } from '../kinds/kind.js';
import { bumpGenerationOnSpecChange, defaultStrategy, withStatus, type Strategy } from '../kinds/strategy.js';
import { nameCol, type PrinterColumn } from '../printers.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../types/meta.js';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
import type { FieldErrors } from '../validation/field-errors.js';
import { applyDefaults, prune, validateValue, type JSONSchemaProps } from './structural-schema.js';
import { loadExtras, needsExtras, requireExtras } from '../on-demand/loader.js';
import type { RuleValidator } from './validation-rules.js';

export interface PrinterColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumnDefinition[];
  /** Fields field selectors may name (`.spec.color`), beyond metadata.name and namespace. */
  selectableFields?: Array<{ jsonPath: string }>;
}

export interface CRDNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CRDSpec {
  group: string;
  names: CRDNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CRDVersion[];
  conversion?: { strategy: string; webhook?: CRDConversionWebhook };
  preserveUnknownFields?: boolean;
}

export interface CRDConversionWebhook {
  clientConfig: { url?: string; service?: { namespace: string; name: string; path?: string; port?: number }; caBundle?: string };
  conversionReviewVersions: string[];
}

/** Converts a CRD's objects through its conversion webhook (the apiserver provides it). */
export type WebhookConverter = (crd: CustomResourceDefinition, objects: KubeObject[], apiVersion: string) => Promise<KubeObject[]>;

export type CustomResourceDefinition = KubeObject<CRDSpec, Record<string, unknown>>;

/** The etcd key segment of a custom resource: `<group>/<plural>`, as Kubernetes keys them. */
export const customStorage = (spec: CRDSpec) => `${spec.group}/${spec.names.plural}`;

function cellFor(type: string, value: unknown, now: number): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? ageSince(value, now) : null;
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Where a date column's view keeps the timestamp (a symbol: no decoded object can carry it). */
const DATE = Symbol('date');
type Dated = KubeObject & { [DATE]?: unknown };

const AGE: PrinterColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** Table columns: Name, then the CRD's printer columns (Age when it lists none), as Kubernetes serves them. */
export function printerColumns(defs: PrinterColumnDefinition[] | undefined): PrinterColumn[] {
  const list = defs && defs.length > 0 ? defs : [AGE];
  return [
    nameCol,
    ...list.map((d): PrinterColumn => {
      const steps = parseJSONPath(d.jsonPath);
      return {
        name: d.name,
        type: (['integer', 'number', 'boolean', 'date'].includes(d.type) ? d.type : 'string') as PrinterColumn['type'],
        format: d.format ?? '',
        description: d.description ?? (d === AGE ? 'CreationTimestamp is a timestamp representing the server time when this object was created.' : ''),
        priority: d.priority ?? 0,
        ...(d.type === 'date'
          ? {
              // An age: the timestamp is read once per object version, the age per response.
              cell: (o: KubeObject, now: number) => cellFor(d.type, DATE in o ? (o as Dated)[DATE] : evaluateJSONPath(steps, o)[0], now),
              reads: (o: KubeObject) => ({ metadata: {}, [DATE]: evaluateJSONPath(steps, o)[0] }) as KubeObject,
            }
          : { cell: (o: KubeObject) => cellFor(d.type, evaluateJSONPath(steps, o)[0], 0) }),
      };
    }),
  ];
}

/** The selectable fields of a version: `spec.color` -> the text of that value ("" when absent). */
function selectableFieldsOf(defs: Array<{ jsonPath: string }>): (obj: KubeObject) => Record<string, string> {
  const paths = defs.map((d) => ({ name: d.jsonPath.replace(/^\./, ''), steps: parseJSONPath(d.jsonPath) }));
  return (obj) => Object.fromEntries(paths.map((p) => [p.name, fieldText(evaluateJSONPath(p.steps, obj)[0])]));
}

/** Custom resources' storage behaviour: with a status subresource, status is written only there. */
function customStrategy(hasStatus: boolean): Strategy {
  // Every change but metadata (and status, when it has its own endpoint) is a new generation.
  const specFields = (next: KubeObject, prev: KubeObject) =>
    Object.keys({ ...next, ...prev }).filter((k) => !['metadata', 'apiVersion', 'kind', ...(hasStatus ? ['status'] : [])].includes(k));
  // As in Kubernetes, an update of a custom resource must say which version it replaces.
  if (!hasStatus) return { ...defaultStrategy, allowUnconditionalUpdate: false, prepareForUpdate: (next, prev) => bumpGenerationOnSpecChange(next, prev, specFields(next, prev)) };
  return withStatus({
    allowUnconditionalUpdate: false,
    // A custom resource has no zero status: a create leaves none.
    prepareForCreate(obj) {
      obj.metadata.generation = 1;
      delete obj.status;
    },
    prepareForUpdate(next, prev) {
      if (prev.status !== undefined) next.status = clone(prev.status);
      else delete next.status;
      bumpGenerationOnSpecChange(next, prev, specFields(next, prev));
    },
  });
}

/** The object without its envelope: what the CRD's schema validates (metadata is ObjectMeta's business). */
function withoutEnvelope(obj: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') rest[k] = v;
  return rest;
}

function moduleFor(crd: CustomResourceDefinition, v: CRDVersion, storage: CRDVersion, remote: RemoteConversion | undefined): KindModule {
  const spec = crd.spec!;
  const schema = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const storageSchema = storage.schema?.openAPIV3Schema ?? schema;
  const gv = `${spec.group}/${v.name}`;
  const storageGV = `${spec.group}/${storage.name}`;
  const subresources: SubresourceInfo[] = [];
  if (v.subresources?.scale) subresources.push(scale);
  if (v.subresources?.status) subresources.push(statusOf(spec.names.kind));
  const rootProperties = schema.properties ?? {};
  // Stored objects are validated by the storage version's rules and patterns (extras.ts, loaded
  // by loadFor); rules are compiled on first use.
  const extrasNeeded = needsExtras(storageSchema);
  let rules: RuleValidator | undefined | null = null;
  const validateRules = (obj: KubeObject, prev: KubeObject | undefined, errs: FieldErrors) => {
    if (rules === null) rules = requireExtras().compileSchemaRules(storageSchema, '').validator;
    rules?.validate(obj, prev, errs);
  };
  return {
    group: spec.group,
    version: v.name,
    kind: spec.names.kind,
    plural: spec.names.plural,
    generation: true,
    namespaced: spec.scope === 'Namespaced',
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: ALL_VERBS,
    subresources,
    columns: printerColumns(v.additionalPrinterColumns),
    ...(v.subresources?.scale ? { scalePaths: v.subresources.scale } : {}),
    custom: { crdName: crd.metadata.name!, openAPIV3Schema: schema as Record<string, unknown>, storageVersion: storage.name },
    // Stored objects are in the storage version: its schema defaults and validates them.
    defaults: (obj) => applyDefaults(obj, storageSchema),
    validate: (obj, errs, old) => {
      const rest = withoutEnvelope(obj);
      validateValue(rest, { ...storageSchema, properties: Object.fromEntries(Object.entries(storageSchema.properties ?? {}).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k))) }, '', errs, old ? withoutEnvelope(old) : undefined);
    },
    ...(extrasNeeded ? { validateRules, loadFor: () => loadExtras() } : {}),
    prune: spec.preserveUnknownFields ? undefined : (obj) => prune(obj, { ...schema, properties: rootProperties }),
    strategy: customStrategy(!!v.subresources?.status),
    // Stored objects are filtered: the storage version's selectable fields.
    ...(storage.selectableFields?.length ? { selectableFields: selectableFieldsOf(storage.selectableFields) } : {}),
    // Objects are converted to and from the storage version; objects written while another
    // version was the storage version are converted on the way out too, so every version
    // converts once the definition has more than one. Strategy None: only apiVersion
    // changes; Webhook: the webhook converts.
    ...(spec.versions.length < 2
      ? {}
      : {
          conversion: {
            toStorage: (obj) => ({ ...obj, apiVersion: storageGV }),
            fromStorage: (obj) => ({ ...obj, apiVersion: gv }),
            ...(remote ? { remote } : {}),
          },
        }),
  };
}

/**
 * The resources a CRD serves (its served versions) and the one its objects are stored as
 * (which may itself not be served); undefined if it has no storage version.
 */
export function customResourceInfos(crd: CustomResourceDefinition, webhook?: WebhookConverter): { served: ResourceInfo[]; stored: ResourceInfo } | undefined {
  const spec = crd.spec!;
  const storage = spec.versions.find((v) => v.storage);
  if (!storage) return undefined;
  const remote: RemoteConversion | undefined =
    spec.conversion?.strategy === 'Webhook'
      ? webhook
        ? (objects, apiVersion) => webhook(crd, objects, apiVersion)
        : () => Promise.reject(new Error('this server has no conversion webhook caller'))
      : undefined;
  const infoOf = (v: CRDVersion): ResourceInfo => {
    const module = moduleFor(crd, v, storage, remote);
    return {
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      plural: spec.names.plural,
      singular: spec.names.singular || spec.names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      verbs: ALL_VERBS,
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      subresources: module.subresources ?? [],
      columns: module.columns!,
      storage: customStorage(spec),
      storageVersion: v.name === storage.name,
      module,
    };
  };
  return { served: spec.versions.filter((v) => v.served).map(infoOf), stored: infoOf(storage) };
}
