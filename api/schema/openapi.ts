// OpenAPI v3 schemas of the built-in kinds, made from the schema language the kind modules
// use (api/schema/dsl.ts): types, formats, enums, required fields, and the list semantics
// kubectl and server-side apply read (x-kubernetes-list-type, -list-map-keys,
// -patch-merge-key, -patch-strategy). Parts a kind leaves open keep unknown fields.
import type { KindModule } from '../kinds/kind.js';
import { messageOf, schema as protobufSchema, type SchemaField } from '../protobuf/schema.js';
import type { Schema } from './dsl.js';
import { fieldDescription } from './field-descriptions.js';

type OpenAPISchema = Record<string, unknown>;

/** Shared types referenced by name, as Kubernetes does (kubectl explain prints the name: <IntOrString>). */
export const SHARED_SCHEMAS: Record<string, OpenAPISchema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
};
const ref = (name: string): OpenAPISchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });

const SCALARS: Record<string, OpenAPISchema> = {
  string: { type: 'string' },
  integer: { type: 'integer', format: 'int64' },
  int32: { type: 'integer', format: 'int32' },
  number: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
  intOrString: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
  quantity: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
  time: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
  microTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'),
  bytes: { type: 'string', format: 'byte' },
};

/** Where a field of a message is declared (inline members' fields are the parent's in JSON), and its schema field. */
function declared(message: string, name: string): { message: string; field: SchemaField } | undefined {
  const def = Object.hasOwn(protobufSchema.messages, message) ? protobufSchema.messages[message] : undefined;
  if (!Array.isArray(def)) return undefined;
  for (const f of def) {
    if (f[3].includes('i') && typeof f[2] === 'string') {
      const inner = declared(f[2], name);
      if (inner) return inner;
    } else if (f[1] === name) return { message, field: f };
  }
  return undefined;
}

/**
 * Whether Kubernetes publishes a field as required: its Go tag has no omitempty and its comment
 * no +optional (what the generated shape's flags record), and it is not an inline member.
 */
function requiredInGo(message: string, name: string): boolean {
  const d = declared(message, name);
  return !!d && !/[oqi]/.test(d.field[3]);
}

/**
 * Go's patch strategies other than a plain `merge` (the generated shape records only that one),
 * by message and field: kubectl computes strategic merge patches from these, so a
 * Deployment's `strategy` must say retainKeys for `kubectl apply` to clear rollingUpdate.
 */
const PATCH_STRATEGIES: Record<string, string> = {
  'k8s.io.api.apps.v1.DeploymentSpec.strategy': 'retainKeys',
  'k8s.io.api.core.v1.PodSpec.volumes': 'merge,retainKeys',
  'k8s.io.api.core.v1.PodSpec.resourceClaims': 'merge,retainKeys',
  'k8s.io.api.core.v1.PodStatus.resourceClaimStatuses': 'merge,retainKeys',
  'k8s.io.api.policy.v1.PodDisruptionBudgetSpec.selector': 'replace',
};

interface FieldFacts {
  valueMessage?: string;
  /** What the field means (field-descriptions.ts), for kubectl explain. */
  description?: string;
  enum?: string[];
  /** The field's strategic merge patch metadata as Go's tags give it, when the field is known. */
  patch?: { strategy?: string; mergeKey?: string };
}

/**
 * What a message's field adds to its schema: the message of its value (an object, or each item
 * or map value) when it is one, its enum values from the Go types (Kubernetes publishes them;
 * kubectl explain lists them) and its patch strategy.
 */
function fieldFacts(message: string | undefined, name: string): FieldFacts {
  const d = message ? declared(message, name) : undefined;
  if (!d) return {};
  const t = d.field[2];
  const m = typeof t === 'string' ? t : t[1];
  const byField = Object.hasOwn(protobufSchema.enums, d.message) ? protobufSchema.enums[d.message] : undefined;
  const strategy = PATCH_STRATEGIES[`${d.message}.${name}`] ?? (d.field[3].includes('s') ? 'merge' : undefined);
  const description = fieldDescription(d.message, name);
  return {
    ...(Object.hasOwn(protobufSchema.messages, m) ? { valueMessage: m } : {}),
    ...(description ? { description } : {}),
    ...(byField && Object.hasOwn(byField, name) ? { enum: byField[name] } : {}),
    patch: { strategy, mergeKey: d.field[4] || undefined },
  };
}

/** `io.k8s.api.core.v1.PodSpec`: the name Kubernetes publishes a Go type's schema under, from its protobuf message's. */
export function schemaNameOfMessage(message: string): string {
  const parts = message.split('.');
  // k8s.io.<package path>.<version>.<Type>; Go package paths have dashes where protobuf has underscores.
  return ['io', 'k8s', ...parts.slice(2, -2).map((p) => p.replaceAll('_', '-')), ...parts.slice(-2)].join('.');
}

/**
 * Named schemas of the Go types met below a kind (PodSpec, Container...), by schema name: a
 * field of such a type refers to its one schema, as Kubernetes publishes them (kubectl explain
 * prints the name: `containers <[]Container>`).
 */
export type Components = Map<string, OpenAPISchema>;

/** The schema of an object of a known Go type, as a reference to its named schema (kept inline when the name already holds a different shape). */
function named(schema: Schema, message: string | undefined, components: Components | undefined): OpenAPISchema {
  const body = openAPIOf(schema, message, components);
  if (schema.t !== 'object' || !message || !components) return body;
  const name = schemaNameOfMessage(message);
  const held = components.get(name);
  if (held === undefined) components.set(name, body);
  else if (held !== body && JSON.stringify(held) !== JSON.stringify(body)) return body;
  return ref(name);
}

/**
 * `message`: the protobuf message the schema describes, when known, for the enums of its
 * fields; with `components`, objects of known types below are named schemas put there.
 */
export function openAPIOf(schema: Schema, message?: string, components?: Components): OpenAPISchema {
  switch (schema.t) {
    case 'any':
      return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'object': {
      const property = (k: string, v: Schema): OpenAPISchema => {
        const facts = fieldFacts(message, k);
        const out = named(v, v.t === 'object' || v.t === 'array' || v.t === 'map' ? facts.valueMessage : undefined, components);
        // Where Go's tags are known they say how clients patch the field, as Kubernetes publishes it.
        if (facts.patch) {
          delete out['x-kubernetes-patch-strategy'];
          delete out['x-kubernetes-patch-merge-key'];
          if (facts.patch.strategy) out['x-kubernetes-patch-strategy'] = facts.patch.strategy;
          if (facts.patch.mergeKey) out['x-kubernetes-patch-merge-key'] = facts.patch.mergeKey;
        }
        if (facts.description) out.description = facts.description;
        const values = facts.enum;
        if (!values) return out;
        // A list of enum values (a Service's ipFamilies) has the enum on its items.
        if (out.type === 'array' && (out.items as OpenAPISchema | undefined)?.type === 'string') return { ...out, items: { ...(out.items as OpenAPISchema), enum: values } };
        return out.type === 'string' ? { ...out, enum: values } : out;
      };
      const out: OpenAPISchema = { type: 'object', properties: Object.fromEntries(Object.entries(schema.props).map(([k, v]) => [k, property(k, v)])) };
      const required = new Set(schema.required ?? []);
      if (message) for (const k of Object.keys(schema.props)) if (requiredInGo(message, k)) required.add(k);
      if (required.size) out.required = [...required];
      if (schema.open) out['x-kubernetes-preserve-unknown-fields'] = true;
      return out;
    }
    case 'map':
      return { type: 'object', additionalProperties: named(schema.values, message, components) };
    case 'array': {
      const out: OpenAPISchema = { type: 'array', items: named(schema.items, message, components) };
      if (schema.mergeKey) {
        Object.assign(out, {
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': [schema.mergeKey],
          'x-kubernetes-patch-merge-key': schema.mergeKey,
          'x-kubernetes-patch-strategy': 'merge',
        });
      } else if (schema.mergePrimitives) {
        Object.assign(out, { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
      } else {
        out['x-kubernetes-list-type'] = 'atomic';
      }
      return out;
    }
    default: {
      const base = { ...SCALARS[schema.t] };
      if ('enum' in schema && schema.enum) base.enum = schema.enum;
      return base;
    }
  }
}

/** `io.k8s.api.apps.v1.Deployment`: the name Kubernetes gives a kind's schema. */
export function builtinSchemaName(m: Pick<KindModule, 'group' | 'version' | 'kind'>): string {
  const message = messageOf(m.group ? `${m.group}/${m.version}` : m.version, m.kind);
  if (message) return schemaNameOfMessage(message);
  const pkg = m.group === '' ? 'core' : m.group.split('.')[0]!;
  return `io.k8s.api.${pkg}.${m.version}.${m.kind}`;
}

// What the envelope's fields are, in every kind (our words; kubectl explain prints them).
const ENVELOPE: Record<string, string> = {
  apiVersion: 'The versioned schema this object is written in (group/version, or v1 for the core group).',
  kind: 'The type of this object, in CamelCase.',
  metadata: "The object's metadata: name, namespace, labels, annotations, owners and the fields the server keeps (uid, resourceVersion, timestamps, managed fields).",
  spec: 'The desired state of the object, set by its users.',
  status: 'The observed state of the object, written by the system through the status subresource.',
};

/** What each kind is, in a sentence (our words). */
const KINDS: Record<string, string> = {
  Pod: 'A group of containers scheduled together onto one node, sharing its network namespace and volumes.',
  Service: 'A stable virtual address and DNS name in front of the pods its selector picks.',
  Deployment: 'Declarative updates of a set of identical pods, through ReplicaSets and rolling updates.',
  ReplicaSet: 'Keeps a given number of pods matching its selector running.',
  StatefulSet: 'Pods with stable names and per-pod persistent storage, started and updated in order.',
  DaemonSet: 'One pod on every (selected) node.',
  Job: 'Pods run until a number of them complete successfully.',
  CronJob: 'Jobs created on a schedule.',
  ConfigMap: 'Configuration data as key-value pairs, for pods to consume.',
  Secret: 'Sensitive data (credentials, keys, tokens) as key-value pairs, encrypted at rest when configured.',
  Namespace: 'A scope for names, policies and quotas.',
  Node: 'A machine that runs pods, with its capacity and conditions.',
  ServiceAccount: 'An identity for processes that run in pods.',
  PersistentVolume: 'A piece of storage in the cluster, bound to at most one claim.',
  PersistentVolumeClaim: "A user's request for storage, bound to a PersistentVolume.",
  Ingress: 'HTTP routing rules from outside the cluster to Services.',
  NetworkPolicy: 'Which traffic may reach and leave the pods it selects.',
  HorizontalPodAutoscaler: 'Scales a workload between bounds to keep a metric near its target.',
  PodDisruptionBudget: 'How many pods of a set voluntary disruptions (evictions, drains) may take down at once.',
  Role: 'A set of permissions within a namespace.',
  ClusterRole: 'A set of permissions across the cluster, or reusable in namespaces.',
  RoleBinding: 'Grants a Role or ClusterRole to users, groups or service accounts within a namespace.',
  ClusterRoleBinding: 'Grants a ClusterRole to users, groups or service accounts across the cluster.',
  CustomResourceDefinition: 'A new resource this server serves, with its names, versions and schema.',
  APIService: 'Which server serves an API group version: this one, or a Service it relays to.',
  Lease: 'A lightweight lock with a holder and a renewal time (leader election, node heartbeats).',
  EndpointSlice: 'A subset of the endpoints (addresses, ports, conditions) behind a Service.',
  Event: 'A report of something that happened to an object.',
};

/** A kind's schema with its identity, or nothing for a kind described only loosely; the types below it go into `components`. */
export function builtinSchema(m: KindModule, components?: Components): OpenAPISchema | undefined {
  const s = m.schema;
  // Kinds whose content is not described (their schema is open at the top) publish nothing:
  // kubectl then keeps using its own compiled-in knowledge of them.
  if (!s || s.t !== 'object' || s.open) return undefined;
  const schema = openAPIOf(s, messageOf(m.group ? `${m.group}/${m.version}` : m.version, m.kind), components);
  const properties = schema.properties as Record<string, OpenAPISchema>;
  for (const [field, description] of Object.entries(ENVELOPE)) if (properties[field]) properties[field] = { ...properties[field], description };
  return {
    ...(KINDS[m.kind] ? { description: KINDS[m.kind] } : {}),
    ...schema,
    'x-kubernetes-group-version-kind': [{ group: m.group, kind: m.kind, version: m.version }],
  };
}
