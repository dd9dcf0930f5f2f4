// Kubernetes' Go types as Go's JSON decoder names them in its errors: "json: cannot unmarshal
// string into Go struct field Container.spec.containers.args of type []string" names the
// struct that holds the field, the path from the root by JSON names (no list indexes, no map
// keys) and the field's Go type (a pointer's target: Go decodes into what it points at).
// Worked out from the generated protobuf schema, and for named Go types that are not structs
// (v1.RestartPolicy, v1.ResourceList, types.UID) from the names the generator read beside it.
import { goFields } from './go-zero.js';
import { schema, type SchemaField } from './schema.js';

const SCALARS: Record<string, string> = {
  string: 'string',
  int32: 'int32',
  int64: 'int64',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool',
  double: 'float64',
  float: 'float32',
  bytes: '[]uint8',
};

/** A message's Go name as reflect writes it: k8s.io.api.core.v1.Container -> v1.Container. */
function goTypeName(message: string): string {
  const parts = message.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function isMessage(type: string): boolean {
  return Object.hasOwn(schema.messages, type);
}

function elementType(type: string): string {
  return SCALARS[type] ?? (isMessage(type) ? goTypeName(type) : type);
}

function fieldType(f: SchemaField): string {
  const [, , type, flags] = f;
  if (typeof type !== 'string') return `map[${elementType(type[0])}]${elementType(type[1])}`;
  const elem = elementType(type);
  // Go decodes through a pointer into what it points at, and names that type.
  return flags.includes('r') ? `[]${elem}` : elem;
}

/** The value type of a map type written out (map[v1.ResourceName]resource.Quantity); undefined for a named map (v1.ResourceList), whose parts are not written. */
function mapValueType(goType: string): string | undefined {
  return /^map\[[^\]]+\](.+)$/.exec(goType)?.[1];
}

export interface GoTypeError {
  value: string;
  at: Array<string | number>;
  type?: string;
}

/**
 * Go's words for a value of the wrong type at `at` in an object of `rootMessage`, or undefined
 * when the path leaves what the schema describes.
 */
export function goTypeErrorMessage(rootMessage: string, e: GoTypeError): string | undefined {
  let message: string | undefined = rootMessage;
  let struct: string | undefined;
  let type: string | undefined;
  /** What the position holds when it is a list or a map whose item or value comes next. */
  let container: { kind: 'list' | 'map'; item: string; itemMessage?: string } | undefined;
  const names: string[] = [];
  for (const seg of e.at) {
    if (container && (typeof seg === 'number') === (container.kind === 'list')) {
      // An item of a list or a value of a map: no name of its own in Go's path.
      type = container.item;
      message = container.itemMessage;
      container = undefined;
      continue;
    }
    if (typeof seg !== 'string' || !message) return undefined;
    const f = goFields(message)?.get(seg)?.schemaField;
    if (!f) return undefined;
    struct = message.split('.').pop();
    names.push(seg);
    const named = Object.hasOwn(schema.goTypeNames, message) && Object.hasOwn(schema.goTypeNames[message]!, seg) ? schema.goTypeNames[message]![seg] : undefined;
    type = named ?? fieldType(f);
    const [, , t, flags] = f;
    if (typeof t !== 'string') container = { kind: 'map', item: (named && mapValueType(named)) ?? elementType(t[1]), ...(isMessage(t[1]) ? { itemMessage: t[1] } : {}) };
    else if (flags.includes('r')) container = { kind: 'list', item: named?.startsWith('[]') ? named.slice(2) : elementType(t), ...(isMessage(t) ? { itemMessage: t } : {}) };
    else container = undefined;
    message = typeof t === 'string' && isMessage(t) ? t : undefined;
  }
  if (!struct || !type) return undefined;
  return `json: cannot unmarshal ${e.value} into Go struct field ${struct}.${names.join('.')} of type ${e.type ?? type}`;
}
