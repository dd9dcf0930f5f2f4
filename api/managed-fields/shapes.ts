// The merge shape of a kind's fields, from the schemas this server has: the kind modules' DSL
// (merge keys are associative lists, primitive merges are sets, other lists atomic) and a
// CRD's openAPIV3Schema (x-kubernetes-list-type, -list-map-keys and -map-type). Built-in kinds'
// structs also know what Go writes for each field of an empty object (api/protobuf/go-zero.ts).
import type { JSONSchemaProps } from '../custom-resources/structural-schema.js';
import type { KindModule } from '../kinds/kind.js';
import { messageOf } from '../protobuf/schema.js';
import { child, type Schema } from '../schema/dsl.js';
import { ATOMIC, DEDUCED, type Shape } from './field-set.js';
import { goFields } from '../protobuf/go-zero.js';

// Go types marked `+structType=atomic` in Kubernetes: owned whole, as one field, wherever they
// are used (a Deployment's creator owns `f:selector`, not `f:selector.f:matchLabels.f:app`).
const ATOMIC_STRUCTS = new Set(
  [
    'k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector',
    'k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference',
    'k8s.io.api.core.v1.ObjectReference',
    'k8s.io.api.core.v1.LocalObjectReference',
    'k8s.io.api.core.v1.TypedLocalObjectReference',
    'k8s.io.api.core.v1.ObjectFieldSelector',
    'k8s.io.api.core.v1.ResourceFieldSelector',
    'k8s.io.api.core.v1.ConfigMapKeySelector',
    'k8s.io.api.core.v1.SecretKeySelector',
    'k8s.io.api.core.v1.NodeSelector',
    'k8s.io.api.core.v1.TopologySelectorTerm',
  ],
);

// Fields marked `+mapType=atomic` in Kubernetes' Go types: a Service's selector is one field.
const ATOMIC_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['k8s.io.api.core.v1.ServiceSpec', new Set(['selector'])],
  ['k8s.io.api.core.v1.PodSpec', new Set(['nodeSelector'])],
]);

// Lists whose items server-side apply tells apart by more keys than strategic merge patch's one
// merge key (Kubernetes' +listMapKey markers): the same port number may be open for TCP and UDP.
const LIST_MAP_KEYS: ReadonlyMap<string, string[]> = new Map([
  ['k8s.io.api.core.v1.ContainerPort', ['containerPort', 'protocol']],
  ['k8s.io.api.core.v1.ServicePort', ['port', 'protocol']],
  ['k8s.io.api.core.v1.TopologySpreadConstraint', ['topologyKey', 'whenUnsatisfiable']],
]);

const SCALARS = new Set(['string', 'integer', 'int32', 'number', 'boolean', 'intOrString', 'quantity', 'time', 'microTime', 'bytes']);

// Shapes are walked once per write, field by field: each (schema, Go type) pair is built once.
const built = new WeakMap<Schema, Map<string, Shape>>();

/** `message`: the Go type (protobuf message) of the value, of a list's items or of a map's values. */
export function shapeOfSchema(schema: Schema | undefined, message?: string): Shape {
  if (!schema || schema.t === 'any') return DEDUCED;
  if (SCALARS.has(schema.t)) return ATOMIC;
  let forSchema = built.get(schema);
  if (!forSchema) built.set(schema, (forSchema = new Map()));
  let shape = forSchema.get(message ?? '');
  if (!shape) forSchema.set(message ?? '', (shape = buildShape(schema, message)));
  return shape;
}

function buildShape(schema: Schema, message: string | undefined): Shape {
  // Fields the schema does not describe merge as Kubernetes deduces them.
  if (schema.t === 'map') return { kind: 'struct', child: (name) => shapeOfSchema(child(schema, name), message) };
  if (schema.t === 'object') {
    if (message !== undefined && ATOMIC_STRUCTS.has(message)) return ATOMIC;
    const fields = message === undefined ? undefined : goFields(message);
    if (!fields) return { kind: 'struct', child: (name) => shapeOfSchema(child(schema, name)) };
    const atomic = message === undefined ? undefined : ATOMIC_FIELDS.get(message);
    // Asked once per field of every write: each field of the Go type answered once (the type's
    // fields are a fixed set; any other name is looked up each time, so no client grows this).
    const children = new Map<string, Shape>();
    return {
      kind: 'struct',
      child: (name) => {
        let shape = children.get(name);
        if (shape) return shape;
        shape = atomic?.has(name) ? ATOMIC : shapeOfSchema(child(schema, name), fields.get(name)?.message);
        if (fields.has(name)) children.set(name, shape);
        return shape;
      },
      zero: (name) => fields.get(name)?.zero,
    };
  }
  if (schema.t === 'array') {
    if (schema.mergeKey) return { kind: 'listMap', keys: (message !== undefined && LIST_MAP_KEYS.get(message)) || [schema.mergeKey], item: shapeOfSchema(schema.items, message) };
    if (schema.mergePrimitives) return { kind: 'set' };
    return ATOMIC;
  }
  return DEDUCED;
}

export function shapeOfOpenAPI(s: JSONSchemaProps | undefined): Shape {
  if (!s) return DEDUCED;
  if (s['x-kubernetes-int-or-string']) return ATOMIC;
  if (s.type === 'array') {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'map') return { kind: 'listMap', keys: s['x-kubernetes-list-map-keys'] ?? [], item: shapeOfOpenAPI(s.items) };
    if (listType === 'set') return { kind: 'set' };
    return ATOMIC;
  }
  if (s.type === 'object' || s.properties || s.additionalProperties || s['x-kubernetes-preserve-unknown-fields']) {
    if (s['x-kubernetes-map-type'] === 'atomic') return ATOMIC;
    return {
      kind: 'struct',
      child: (name) => {
        if (s.properties && Object.hasOwn(s.properties, name)) return shapeOfOpenAPI(s.properties[name]);
        if (s.additionalProperties && typeof s.additionalProperties === 'object') return shapeOfOpenAPI(s.additionalProperties);
        return DEDUCED;
      },
    };
  }
  return s.type ? ATOMIC : DEDUCED;
}

/** The shape of a kind's objects (custom resources from their schema). */
export function shapeOfKind(module: KindModule): Shape {
  if (module.custom) return shapeOfOpenAPI(module.custom.openAPIV3Schema as JSONSchemaProps);
  return shapeOfSchema(module.schema, messageOf(module.group ? `${module.group}/${module.version}` : module.version, module.kind));
}
