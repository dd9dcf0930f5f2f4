import { describe, expect, it } from 'vitest';
import { FieldErrors } from '../validation/field-errors.js';
import type { JSONSchemaProps } from './structural-schema.js';
import { compileSchemaRules, type ValidationRule } from './validation-rules.js';

type S = JSONSchemaProps;

const root = (props: Record<string, S>, rules?: ValidationRule[]): S => ({ type: 'object', properties: props, ...(rules ? { 'x-kubernetes-validations': rules } : {}) });
const spec = (props: Record<string, S>, rules: ValidationRule[], extra: Partial<S> = {}): S => root({ spec: { type: 'object', properties: props, 'x-kubernetes-validations': rules, ...extra } });

function problems(schema: S): string[] {
  return compileSchemaRules(schema, 'openAPIV3Schema').problems.map((p) => `${p.field}: ${p.detail}`);
}

function run(schema: S, obj: Record<string, unknown>, old?: Record<string, unknown>): string[] {
  const compiled = compileSchemaRules(schema, 'openAPIV3Schema');
  expect(compiled.problems).toEqual([]);
  const errs = new FieldErrors();
  compiled.validator!.validate({ apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'n' }, ...obj }, old && { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'n' }, ...old }, errs);
  return errs.causes.map((c) => `${c.field}: ${c.message}`);
}

const xy = spec({ x: { type: 'integer' }, y: { type: 'integer' } }, [{ rule: 'self.x + self.y > 0' }]);

describe('x-kubernetes-validations: compiling', () => {
  it('refuses a rule naming a field the schema does not have, in cel-go words', () => {
    const p = problems(spec({ x: { type: 'integer' } }, [{ rule: 'self.z == 100' }]));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: compilation failed: ERROR: <input>:1:');
    expect(p[0]).toContain("undefined field 'z'");
  });

  it('refuses syntax errors, rules that are not bool, and messageExpressions that are not strings', () => {
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'self.x >' }]))[0]).toContain('Syntax error');
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'self.x + 1' }]))[0]).toContain('cel expression must evaluate to a bool');
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'self.x > 1', messageExpression: 'self.x' }]))[0]).toContain('messageExpression must evaluate to a string');
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'self.x > "a"' }]))[0]).toContain("found no matching overload for '_>_' applied to '(int, string)'");
  });

  it('checks the fields of a rule: message, reason, fieldPath, optionalOldSelf', () => {
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: '' }]))).toEqual(['openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: rule is not specified']);
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'true', reason: 'Nope' }]))[0]).toContain('.reason');
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'true', fieldPath: '.nope' }]))[0]).toContain('fieldPath must be a valid path');
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'true', message: 'a\nb' }]))[0]).toContain('message must not contain line breaks');
    expect(problems(spec({ x: { type: 'integer' } }, [{ rule: 'self.x > 0', optionalOldSelf: true }]))[0]).toContain('may not be set if oldSelf is not used in rule');
  });

  it('refuses rules whose worst case is too expensive, and takes bounded ones', () => {
    const nested = spec({ l: { type: 'array', items: { type: 'string' } } }, [{ rule: 'self.l.all(a, self.l.all(b, a != b || a == b))' }]);
    expect(problems(nested)[0]).toMatch(/estimated rule cost exceeds budget by factor of more than 100x/);
    const bounded = spec({ l: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 64 } } }, [{ rule: 'self.l.all(a, self.l.all(b, a != b || a == b))' }]);
    expect(problems(bounded)).toEqual([]);
  });

  it('runs patterns in linear time (RE2), computed or literal, and refuses what RE2 refuses', () => {
    expect(run(spec({ a: { type: 'string' }, p: { type: 'string' } }, [{ rule: 'self.a.matches(self.p)' }]), { spec: { a: 'aaa!', p: '^(a+)+$' } })).toHaveLength(1);
    expect(problems(spec({ a: { type: 'string' } }, [{ rule: "self.a.matches('(a)\\\\1')" }]))[0]).toContain('invalid matches argument: error parsing regexp: invalid escape sequence: `\\1`');
    expect(run(spec({ a: { type: 'string' }, p: { type: 'string' } }, [{ rule: 'matches(self.a, self.p)' }]), { spec: { a: 'abc', p: '^a' } })).toEqual([]);
    const start = Date.now();
    expect(run(spec({ a: { type: 'string' } }, [{ rule: "!self.a.matches('^(a+)+$')" }]), { spec: { a: `${'a'.repeat(50_000)}!` } })).toEqual([]);
    expect(Date.now() - start).toBeLessThan(60_000); // catastrophic backtracking would not end at all
  });
});

describe('x-kubernetes-validations: running', () => {
  it('reports a failed rule at its node with the schema type', () => {
    expect(run(xy, { spec: { x: 1, y: 0 } })).toEqual([]);
    expect(run(xy, { spec: { x: 0, y: 0 } })).toEqual(['spec: Invalid value: "object": failed rule: self.x + self.y > 0']);
  });

  it('uses message, messageExpression, fieldPath and reason', () => {
    const s = spec({ x: { type: 'integer' }, name: { type: 'string' } }, [
      { rule: 'self.x < 10', message: 'x is too big' },
      { rule: 'self.x > 0', messageExpression: "'x is ' + string(self.x) + ', must be positive'", fieldPath: '.x' },
      { rule: "self.name != 'admin'", reason: 'FieldValueForbidden', message: 'not that name', fieldPath: '.name' },
    ]);
    expect(run(s, { spec: { x: 20, name: 'ok' } })).toEqual(['spec: Invalid value: "object": x is too big']);
    expect(run(s, { spec: { x: -1, name: 'admin' } })).toEqual(['spec.x: Invalid value: "object": x is -1, must be positive', 'spec.name: Forbidden: not that name']);
  });

  it('sees metadata.name (only name and generateName) at the root', () => {
    const s = root({ spec: { type: 'object' } }, [{ rule: "self.metadata.name.startsWith('good-')" }]);
    expect(run(s, { metadata: { name: 'good-1' } })).toEqual([]);
    expect(run(s, { metadata: { name: 'bad' } })).toEqual(['<nil>: Invalid value: "object": failed rule: self.metadata.name.startsWith(\'good-\')']);
    expect(problems(root({ spec: { type: 'object' } }, [{ rule: 'self.metadata.namespace == ""' }]))[0]).toContain("undefined field 'namespace'");
  });

  it('runs transition rules only on update, against the old value', () => {
    const s = spec({ mode: { type: 'string' } }, [{ rule: 'self.mode == oldSelf.mode', message: 'mode is immutable' }]);
    expect(run(s, { spec: { mode: 'a' } })).toEqual([]);
    expect(run(s, { spec: { mode: 'a' } }, { spec: { mode: 'a' } })).toEqual([]);
    expect(run(s, { spec: { mode: 'b' } }, { spec: { mode: 'a' } })).toEqual(['spec: Invalid value: "object": mode is immutable']);
    const optional = spec({ mode: { type: 'string' } }, [{ rule: "oldSelf.hasValue() || self.mode == 'initial'", optionalOldSelf: true }]);
    expect(run(optional, { spec: { mode: 'other' } })).toHaveLength(1);
    expect(run(optional, { spec: { mode: 'other' } }, { spec: { mode: 'x' } })).toEqual([]);
  });

  it('finds old list items by the keys of a map-type list', () => {
    const s = root({
      spec: {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.port >= oldSelf.port', message: 'ports only grow' }] },
          },
        },
      },
    });
    expect(run(s, { spec: { ports: [{ name: 'b', port: 1 }, { name: 'a', port: 80 }] } }, { spec: { ports: [{ name: 'a', port: 81 }] } })).toEqual([
      'spec.ports[1]: Invalid value: "object": ports only grow',
    ]);
  });

  it('ratchets: an unchanged value that fails a new rule does not block an update', () => {
    const s = root({ spec: { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'" }] }, b: { type: 'string' } } } });
    expect(run(s, { spec: { a: 'bad', b: '2' } }, { spec: { a: 'bad', b: '1' } })).toEqual([]);
    expect(run(s, { spec: { a: 'bad', b: '2' } })).toEqual(['spec.a: Invalid value: "string": failed rule: self != \'bad\'']);
  });

  it('types values as the schema does: doubles, timestamps, durations, quantities, int-or-string, maps', () => {
    const s = spec(
      {
        ratio: { type: 'number' },
        start: { type: 'string', format: 'date-time' },
        end: { type: 'string', format: 'date-time' },
        timeout: { type: 'string', format: 'duration' },
        memory: { type: 'string', maxLength: 16 },
        port: { 'x-kubernetes-int-or-string': true },
        labels: { type: 'object', maxProperties: 64, additionalProperties: { type: 'string' } },
      },
      [
        { rule: 'self.ratio < 1.0' },
        { rule: 'self.start < self.end' },
        { rule: "self.timeout <= duration('1h')" },
        { rule: "quantity(self.memory).isLessThan(quantity('1Gi'))" },
        { rule: "type(self.port) == int ? self.port > 0 : self.port.startsWith('http')" },
        { rule: 'self.labels.all(k, k.size() <= 5)' },
        { rule: "self.memory.find('^[0-9]+') != ''" },
      ],
    );
    const good = { ratio: 0.5, start: '2024-01-01T00:00:00Z', end: '2024-06-01T00:00:00Z', timeout: '30m', memory: '512Mi', port: 8080, labels: { app: 'x' } };
    expect(run(s, { spec: good })).toEqual([]);
    expect(run(s, { spec: { ...good, port: 'http-web' } })).toEqual([]);
    const bad = run(s, { spec: { ratio: 1.5, start: '2025-01-01T00:00:00Z', end: '2024-06-01T00:00:00Z', timeout: '2h', memory: 'Gi', port: 0, labels: { toolong: 'x' } } });
    expect(bad).toHaveLength(7);
  });

  it('reports evaluation errors with the rule, and keeps going', () => {
    const s = spec({ x: { type: 'integer' }, y: { type: 'integer' } }, [{ rule: 'self.y > 0' }, { rule: 'self.x > 0' }]);
    expect(run(s, { spec: { x: 1 } })).toEqual(['spec: Invalid value: "object": no such key: y evaluating rule: self.y > 0']);
  });

  it('escapes property names CEL cannot spell, as Kubernetes does', () => {
    const s = spec({ 'my-field': { type: 'integer' }, namespace: { type: 'string' } }, [{ rule: 'self.my__dash__field > 0 && self.__namespace__ != ""' }]);
    expect(run(s, { spec: { 'my-field': 1, namespace: 'a' } })).toEqual([]);
    expect(run(s, { spec: { 'my-field': 0, namespace: 'a' } })).toHaveLength(1);
  });
});

describe('x-kubernetes-validations: the format, sets and strings libraries', () => {
  const str = (rule: string, messageExpression?: string) => spec({ s: { type: 'string' }, l: { type: 'array', items: { type: 'string' } } }, [{ rule, ...(messageExpression ? { messageExpression } : {}) }]);

  it('validates strings against Kubernetes\' named formats, saying what is wrong', () => {
    const label = str('!format.dns1123Label().validate(self.s).hasValue()', 'format.dns1123Label().validate(self.s).value().join("; ")');
    expect(run(label, { spec: { s: 'web-1' } })).toEqual([]);
    const bad = run(label, { spec: { s: 'Web_1' } });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
    const named = str('format.named("uuid").hasValue() && !format.named("uuid").value().validate(self.s).hasValue() && !format.named("nope").hasValue()');
    expect(run(named, { spec: { s: '6f1e6bba-3b55-4e3e-9a0c-0a6b4e7a3f10' } })).toEqual([]);
    expect(run(named, { spec: { s: 'not-a-uuid' } })).toHaveLength(1);
    const prefix = str('!format.dns1123LabelPrefix().validate(self.s).hasValue()');
    expect(run(prefix, { spec: { s: 'web-' } })).toEqual([]); // a generateName prefix may end in a dash
    expect(run(str('!format.dns1123Label().validate(self.s).hasValue()'), { spec: { s: 'web-' } })).toHaveLength(1);
    const uri = str('format.uri().validate(self.s).orValue([]).join("")', undefined);
    expect(problems(uri)[0]).toContain('cel expression must evaluate to a bool');
    const uriRule = str('!format.uri().validate(self.s).hasValue()', 'format.uri().validate(self.s).value()[0]');
    expect(run(uriRule, { spec: { s: 'https://example.com/a' } })).toEqual([]);
    expect(run(uriRule, { spec: { s: 'relative/path' } })[0]).toContain('parse "relative/path": invalid URI for request');
    for (const [f, good, bad] of [['byte', 'aGVsbG8=', 'hello!'], ['date', '2024-02-29', '2023-02-29'], ['datetime', '2024-01-02T03:04:05Z', '2024-01-02 03:04:05']]) {
      const rule = str(`!format.${f}().validate(self.s).hasValue()`);
      expect(run(rule, { spec: { s: good } }), `${f} ${good}`).toEqual([]);
      expect(run(rule, { spec: { s: bad } }), `${f} ${bad}`).toHaveLength(1);
    }
  });

  it('compares lists as sets, with CEL equality', () => {
    const rule = str('sets.contains(self.l, ["a"]) && sets.intersects(self.l, ["z", "b"]) && sets.equivalent(self.l, ["b", "a", "a"]) && sets.contains([1, 2], [1.0]) && !sets.intersects([], [1])');
    expect(run(rule, { spec: { l: ['a', 'b'] } })).toEqual([]);
    expect(run(rule, { spec: { l: ['a', 'b', 'c'] } })).toHaveLength(1);
  });

  it('quotes strings as CEL literals', () => {
    const rule = str('strings.quote(self.s) == "\\"a\\\\\\"b\\\\n\\""');
    expect(run(rule, { spec: { s: 'a"b\n' } })).toEqual([]);
  });
});

