// YAML text in and out without letting a document's nesting reach the stack. The yaml
// library's composer and stringifier recurse once per level and overflow near 900 levels
// (V8 can even abort the process when a regular expression compiles on an almost full
// stack), so: JSON-looking bodies (what kubectl sends, also for apply) go through the JSON
// path with its 10,000-level limit; real YAML is measured on the library's iterative CST
// parser first and refused above MAX_YAML_DEPTH; and deep values are written out as JSON,
// which every YAML 1.2 reader accepts.
import type { CST } from 'yaml';
import { NestingTooDeepError, parseJSON, stringify } from './json.js';
import { depthOf } from './values.js';
import { yamlLibrary } from './yaml-library.js';

/** Nesting allowed in block- or flow-style YAML (no Kubernetes object comes close). */
export const MAX_YAML_DEPTH = 500;
/** Anchors may be referenced this often in one document (no alias bombs). */
const MAX_ALIASES = 100;

/** The deepest collection nesting in YAML text, from the concrete syntax tree (no recursion). */
export function yamlNestingDepth(text: string, limit = MAX_YAML_DEPTH): number {
  let max = 0;
  const stack: Array<[CST.Token, number]> = [];
  for (const token of new (yamlLibrary().Parser)().parse(text)) stack.push([token, 0]);
  while (stack.length > 0) {
    const [t, d] = stack.pop()!;
    switch (t.type) {
      case 'document':
        if (t.value) stack.push([t.value, d]);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        const depth = d + 1;
        if (depth > max) {
          max = depth;
          if (max > limit) throw new NestingTooDeepError(limit);
        }
        for (const item of t.items as CST.CollectionItem[]) {
          if (item.key) stack.push([item.key, depth]);
          if (item.value) stack.push([item.value, depth]);
        }
        break;
      }
      default:
        break;
    }
  }
  return max;
}

function looksLikeJSON(text: string): boolean {
  const first = /\S/.exec(text)?.[0];
  return first === '{' || first === '[';
}

/** Parses one YAML 1.2 document (or JSON) into plain data. */
export function parseYAML(text: string): unknown {
  if (looksLikeJSON(text)) {
    try {
      return parseJSON(text);
    } catch (err) {
      if (err instanceof NestingTooDeepError) throw err;
      // Flow-style YAML that is not strict JSON ({a: 1}): read it as YAML below.
    }
  }
  yamlNestingDepth(text);
  return yamlLibrary().parse(text, { version: '1.2', maxAliasCount: MAX_ALIASES });
}

/** YAML for a document (OpenAPI's values); values nested too deeply for the library are written as JSON. */
export function toYAML(value: unknown): string {
  if (depthOf(value) > MAX_YAML_DEPTH) return `${stringify(value)}\n`;
  return yamlLibrary().stringify(value);
}

/** A float needs a digit: Go's YAML writer leaves `.` (managedFields' own entry) unquoted. */
const FLOAT_WITH_A_DIGIT = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/;

/**
 * YAML for an API answer, as Kubernetes writes it (JSON turned into YAML by Go's YAML v2
 * writer): keys in order at every level, a list's dashes under its key, and a string quoted
 * when YAML 1.1 would read it as something else (a time, `yes`, `3`). Too deep: JSON.
 */
export function toResponseYAML(value: unknown): string {
  if (depthOf(value) > MAX_YAML_DEPTH) return `${stringify(value)}\n`;
  return yamlLibrary().stringify(value, {
    version: '1.1',
    sortMapEntries: true,
    indentSeq: false,
    customTags: (tags) => tags.map((t) => (typeof t === 'object' && t.tag === 'tag:yaml.org,2002:float' && t.test?.test('.') ? { ...t, test: FLOAT_WITH_A_DIGIT } : t)),
  });
}
