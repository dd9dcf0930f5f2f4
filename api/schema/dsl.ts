// A small schema language for Kubernetes kinds. One description per kind feeds strict field
// validation (unknown fields), strategic merge patch (merge keys and strategies) and OpenAPI.

export type Schema =
  | { t: 'string' | 'integer' | 'int32' | 'number' | 'boolean' | 'intOrString' | 'quantity' | 'time' | 'microTime' | 'bytes'; enum?: string[] }
  | ObjectSchema
  | ArraySchema
  | { t: 'map'; values: Schema }
  | { t: 'any' };

export interface ObjectSchema {
  t: 'object';
  props: Record<string, Schema>;
  /** Unknown fields are kept and not reported (for parts not described in detail). */
  open?: boolean;
  required?: string[];
}

export interface ArraySchema {
  t: 'array';
  items: Schema;
  /** Strategic merge: elements are matched by this field instead of the list being replaced. */
  mergeKey?: string;
  /** Strategic merge of a primitive list (e.g. finalizers): union instead of replace. */
  mergePrimitives?: boolean;
}

export const str: Schema = { t: 'string' };
/** int64 in Kubernetes; only integers JavaScript holds exactly (|n| < 2^53) are accepted. */
export const int: Schema = { t: 'integer' };
export const int32: Schema = { t: 'int32' };
export const num: Schema = { t: 'number' };
export const bool: Schema = { t: 'boolean' };
export const intOrString: Schema = { t: 'intOrString' };
export const quantity: Schema = { t: 'quantity' };
export const time: Schema = { t: 'time' };
/** metav1.MicroTime: a time with six digits of microseconds (Leases, Events). */
export const microTime: Schema = { t: 'microTime' };
export const bytes: Schema = { t: 'bytes' };
export const any: Schema = { t: 'any' };

export function obj(props: Record<string, Schema>, opts: { open?: boolean; required?: string[] } = {}): ObjectSchema {
  return { t: 'object', props, ...opts };
}
/** An object whose listed fields are described and whose other fields are accepted as they are. */
export function open(props: Record<string, Schema> = {}): ObjectSchema {
  return { t: 'object', props, open: true };
}
export function list(items: Schema, mergeKey?: string): ArraySchema {
  return mergeKey ? { t: 'array', items, mergeKey } : { t: 'array', items };
}
export function set(items: Schema): ArraySchema {
  return { t: 'array', items, mergePrimitives: true };
}
export function map(values: Schema): Schema {
  return { t: 'map', values };
}
export const strings = list(str);
export const stringMap = map(str);
export const quantities = map(quantity);

/** Finds the schema of a child field; `any` when not described. */
export function child(schema: Schema | undefined, field: string): Schema | undefined {
  if (!schema) return undefined;
  if (schema.t === 'object') return Object.prototype.hasOwnProperty.call(schema.props, field) ? schema.props[field] : undefined;
  if (schema.t === 'map') return schema.values;
  return undefined;
}
