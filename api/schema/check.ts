// Walks an object against its kind's schema and reports what Kubernetes' decoder reports:
// values of the wrong type (always an error) and unknown fields (an error, a warning or
// nothing, depending on fieldValidation). Unknown fields are removed from the object.
import type { Schema } from './dsl.js';

export interface SchemaFindings {
  typeErrors: string[];
  unknownFields: string[];
}

const goType: Record<string, string> = {
  string: 'string',
  integer: 'int64',
  number: 'float64',
  boolean: 'bool',
  time: 'Time',
  bytes: '[]byte',
};

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

export function checkSchema(value: unknown, schema: Schema): SchemaFindings {
  const findings: SchemaFindings = { typeErrors: [], unknownFields: [] };
  walk(value, schema, '', findings);
  return findings;
}

/** Go decodes a JSON null into the zero value, which is then omitted: a null field is absent. */
function dropNulls(o: Record<string, unknown>): void {
  for (const k of Object.keys(o)) if (o[k] === null) delete o[k];
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function walk(value: unknown, schema: Schema, path: string, f: SchemaFindings): void {
  if (value === null || value === undefined) return;
  const mismatch = (expected: string): void => {
    f.typeErrors.push(`json: cannot unmarshal ${typeName(value)} into Go struct field ${path || '.'} of type ${expected}`);
  };
  switch (schema.t) {
    case 'any':
      return;
    case 'string':
    case 'time':
    case 'bytes':
      if (typeof value !== 'string') mismatch(goType[schema.t]!);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) mismatch('int64');
      return;
    case 'number':
      if (typeof value !== 'number') mismatch('float64');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') mismatch('bool');
      return;
    case 'intOrString':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) mismatch('intstr.IntOrString');
      return;
    case 'quantity':
      if (typeof value !== 'string' && typeof value !== 'number') mismatch('resource.Quantity');
      return;
    case 'array':
      if (!Array.isArray(value)) return mismatch('[]interface {}');
      value.forEach((item, i) => walk(item, schema.items, `${path}[${i}]`, f));
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch('map[string]interface {}');
      dropNulls(value as Record<string, unknown>);
      for (const [k, v] of Object.entries(value as object)) walk(v, schema.values, join(path, k), f);
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch('struct');
      dropNulls(value as Record<string, unknown>);
      for (const [k, v] of Object.entries(value as object)) {
        const s = schema.props[k];
        if (s) walk(v, s, join(path, k), f);
        else if (!schema.open) {
          // Kubernetes' decoder has nowhere to put an unknown field: it is reported and dropped.
          f.unknownFields.push(join(path, k));
          delete (value as Record<string, unknown>)[k];
        }
      }
      return;
    }
  }
}
