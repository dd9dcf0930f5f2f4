import { describe, expect, it } from 'vitest';
import { fromLabelSelector, labelSelectorToString, matches, parseSelector, selectorOrNothing } from './labels.js';
import { StatusError } from './status.js';

describe('label selector strings', () => {
  const labels = { app: 'web', tier: 'front', version: '3' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=db', false],
    ['app in (web,db)', true],
    ['app notin (web, db)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app=web,tier=front', true],
    ['app=web,tier in (back)', false],
    ['version>2', true],
    ['version<3', false],
  ])('%j matches %s', (selector, expected) => {
    expect(matches(parseSelector(selector), labels)).toBe(expected);
  });

  it('rejects malformed selectors with a 400 Status', () => {
    for (const bad of ['a=b c', 'a=b=c', 'in (x)', 'a in x', 'version>abc', 'app=web,']) {
      let err: unknown;
      try {
        parseSelector(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(StatusError);
      expect((err as StatusError).code).toBe(400);
    }
  });
});

describe('structured LabelSelector', () => {
  it('treats a missing selector as selecting nothing and an empty one as everything', () => {
    expect(matches(fromLabelSelector(undefined), { a: 'b' })).toBe(false);
    expect(matches(fromLabelSelector({}), { a: 'b' })).toBe(true);
  });

  it('combines matchLabels and matchExpressions', () => {
    const sel = fromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }, { key: 'canary', operator: 'DoesNotExist' }],
    });
    expect(matches(sel, { app: 'web', env: 'prod' })).toBe(true);
    expect(matches(sel, { app: 'web', env: 'dev' })).toBe(false);
    expect(matches(sel, { app: 'web', env: 'prod', canary: 'true' })).toBe(false);
  });

  it('prints the canonical form used in Scale.status.selector', () => {
    expect(labelSelectorToString({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['y', 'x'] }] })).toBe(
      'a=1,b=2,c notin (x,y)',
    );
  });
});

describe('selectorOrNothing', () => {
  it('reads a selector as fromLabelSelector does, and one it cannot read as selecting nothing', () => {
    expect(matches(selectorOrNothing({ matchLabels: { app: 'web' } }), { app: 'web' })).toBe(true);
    expect(matches(selectorOrNothing({}), { app: 'web' })).toBe(true);
    expect(matches(selectorOrNothing({ matchExpressions: [{ key: 'app', operator: 'Near' as 'In', values: ['web'] }] }), { app: 'web' })).toBe(false);
    expect(() => fromLabelSelector({ matchExpressions: [{ key: 'app', operator: 'Near' as 'In', values: ['web'] }] })).toThrow(/not a valid label selector operator/);
  });
});
