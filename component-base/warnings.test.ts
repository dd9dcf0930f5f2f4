import { afterEach, describe, expect, it } from 'vitest';
import { silenceWarnings } from './warnings.js';

describe('silenceWarnings', () => {
  const original = process.emitWarning;
  afterEach(() => {
    process.emitWarning = original;
  });

  it('drops only the named codes, in both calling forms', async () => {
    const seen: string[] = [];
    const onWarning = (w: Error & { code?: string }) => seen.push(w.code ?? w.message);
    process.on('warning', onWarning);
    silenceWarnings(['DEP0123']);
    process.emitWarning('ip as servername', 'DeprecationWarning', 'DEP0123');
    process.emitWarning('ip as servername', { type: 'DeprecationWarning', code: 'DEP0123' });
    process.emitWarning('something else', 'DeprecationWarning', 'DEP0999');
    process.emitWarning('plain');
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(seen).toEqual(['DEP0999', 'plain']);
  });
});
