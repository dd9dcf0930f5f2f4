// Property-based checks of the three patchers against hostile documents: nothing reaches
// Object.prototype, inputs are never modified, failures are Statuses, any depth works, and
// lists merge in linear time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clone, depthOf } from '../codec/values.js';
import { schemaFor } from '../schema/kinds.js';
import { StatusError } from '../status.js';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

// More runs than fast-check's default 100: each is cheap, and these guard the request path.
fc.configureGlobal({ numRuns: 1000 });

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'a', 'b', 'name', '$patch', '$retainKeys', '$setElementOrder/containers');
const key = fc.oneof(hostileKey, fc.string({ maxLength: 3 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 4 }),
    fc.constantFrom('delete', 'replace', 'merge'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const object = fc.dictionary(key, json, { maxKeys: 5 });
const pointer = fc.array(fc.oneof(key, fc.constantFrom('0', '1', '-', '-1', '~0', '~1')), { maxLength: 4 }).map((parts) => parts.map((p) => `/${p}`).join(''));
const op = fc.record(
  {
    op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
    path: pointer,
    from: pointer,
    value: json,
  },
  { requiredKeys: ['op', 'path'] },
);

function clean(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).filter((k) => !BUILTIN.has(k))).toEqual([]);
}
const BUILTIN = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Only Statuses may escape a patcher. */
function attempt(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect([400, 413, 422]).toContain((err as StatusError).code);
    return undefined;
  }
}

/** RFC 7386 written the obvious recursive way, with own-property writes: the reference. */
function referenceMerge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = {};
  if (target && typeof target === 'object' && !Array.isArray(target)) for (const k of Object.keys(target)) Object.defineProperty(out, k, { value: (target as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else Object.defineProperty(out, k, { value: referenceMerge(Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const deepText = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);

describe('merge patch', () => {
  it('matches RFC 7386 on hostile documents without touching prototypes or the input', () => {
    fc.assert(
      fc.property(object, object, (doc, patch) => {
        const before = JSON.stringify(doc);
        const out = applyMergePatch(doc, patch);
        expect(JSON.stringify(out)).toBe(JSON.stringify(referenceMerge(doc, patch)));
        expect(JSON.stringify(doc)).toBe(before);
        clean();
      }),
    );
  });

  it('applies patches nested 10,000 levels deep', () => {
    const out = applyMergePatch({ keep: 1 }, JSON.parse(deepText(10_000)));
    expect(depthOf(out)).toBe(10_000);
  });
});

describe('JSON patch', () => {
  it('never pollutes prototypes, never changes its input, and fails only with Statuses', () => {
    fc.assert(
      fc.property(object, fc.array(op, { maxLength: 6 }), (doc, ops) => {
        const before = JSON.stringify(doc);
        attempt(() => applyJsonPatch(doc, ops));
        expect(JSON.stringify(doc)).toBe(before);
        clean();
      }),
    );
  });

  it('refuses paths through __proto__ and constructor with 422, as paths that do not exist', () => {
    for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted', '/a/__proto__/polluted', '/toString/x']) {
      expect(() => applyJsonPatch({ a: {} }, [{ op: 'add', path, value: 1 }])).toThrow(/missing path/);
    }
    clean();
    // As a key of its own, __proto__ is data like any other.
    const out = applyJsonPatch({ a: {} }, [{ op: 'add', path: '/a/__proto__', value: { polluted: 1 } }]) as Record<string, Record<string, unknown>>;
    expect(Object.keys(out.a!)).toEqual(['__proto__']);
    clean();
  });

  it('refuses more than 10,000 operations with 413 and caps what copy may add', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
    expect(() => applyJsonPatch({ a: 1 }, ops)).toThrow(expect.objectContaining({ code: 413, reason: 'RequestEntityTooLarge' }));
    const grow = [{ op: 'add', path: '/v', value: 'x'.repeat(1000) }];
    for (let i = 0; i < 30; i++) grow.push({ op: 'copy', from: '', path: `/c${i}` } as never);
    expect(() => applyJsonPatch({}, grow)).toThrow(/accumulated size increase of copy is \d+, exceeding the limit 3145728/);
  });

  it('handles documents and values nested 10,000 levels deep', () => {
    const deep = JSON.parse(deepText(9_999));
    const out = applyJsonPatch({ d: deep }, [{ op: 'copy', from: '/d', path: '/e' }, { op: 'test', path: '/e', value: deep }]);
    expect(depthOf(out)).toBe(10_000);
  });
});

describe('strategic merge patch', () => {
  const deployment = schemaFor('apps/v1', 'Deployment');

  it('never pollutes prototypes, never changes its input, and fails only with Statuses', () => {
    fc.assert(
      fc.property(object, object, (doc, patch) => {
        const before = JSON.stringify(doc);
        attempt(() => applyStrategicMergePatch(doc, patch, deployment));
        attempt(() => applyStrategicMergePatch({ spec: { template: { spec: { containers: [doc] } } } }, { spec: { template: { spec: { containers: [patch] } } } }, deployment));
        expect(JSON.stringify(doc)).toBe(before);
        clean();
      }),
    );
  });

  it('ignores inherited names when looking up the schema', () => {
    const out = applyStrategicMergePatch({ spec: {} }, { spec: { constructor: { prototype: { polluted: 1 } } } }, deployment);
    expect(JSON.parse(JSON.stringify(out))).toEqual({ spec: { constructor: { prototype: { polluted: 1 } } } });
    clean();
  });

  it('applies patches nested 10,000 levels deep', () => {
    const out = applyStrategicMergePatch({ spec: { template: {} } }, { spec: { template: { x: JSON.parse(deepText(9_990)) } } }, deployment);
    expect(depthOf(out)).toBe(9_993);
  });

  it('merges keyed and set-like lists of 200,000 elements in linear time', () => {
    const n = 200_000;
    const containers = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'a' }));
    const doc = { spec: { template: { spec: { containers } } }, metadata: { finalizers: containers.map((c) => c.name) } };
    const patch = {
      metadata: { finalizers: Array.from({ length: n }, (_, i) => `f${i}`), '$deleteFromPrimitiveList/finalizers': ['c0'] },
      spec: {
        template: {
          spec: {
            containers: [...containers.map((c) => ({ name: c.name, image: 'b' })), { name: 'c1', $patch: 'delete' }],
            '$setElementOrder/containers': [...containers].reverse().map((c) => ({ name: c.name })),
          },
        },
      },
    };
    const out = applyStrategicMergePatch(clone(doc), patch, deployment) as typeof doc;
    const merged = out.spec.template.spec.containers;
    expect(merged).toHaveLength(n - 1);
    expect(merged[0]).toEqual({ name: `c${n - 1}`, image: 'b' });
    expect(out.metadata.finalizers).toHaveLength(2 * n - 1);
  });
});
