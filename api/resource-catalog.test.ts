import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES } from './resource-catalog.generated.js';
import { apiPrefix, builtinResources, catalogEntry, findBuiltin, findBuiltinByKind } from './resource-catalog.js';
import { resources } from './resources.js';

describe('the built-in resource catalog', () => {
  it('says what the kind modules declare, row for row (else: npm run build && node scripts/generate-resource-catalog.mjs)', () => {
    expect(BUILTIN_RESOURCES).toEqual(resources.map(catalogEntry));
  });

  it('finds resources by path and by kind as the server table does', () => {
    for (const r of resources) {
      const found = findBuiltin(r.group, r.version, r.plural);
      expect(found?.kind).toBe(r.kind);
      expect(found?.storage).toBe(r.storage);
    }
    expect(findBuiltin('', 'v1', 'pods')).toMatchObject({ kind: 'Pod', namespaced: true, storageVersion: true });
    expect(findBuiltin('apps', 'v1', 'nosuch')).toBeUndefined();
    expect(findBuiltinByKind('autoscaling/v1', 'HorizontalPodAutoscaler')).toMatchObject({ version: 'v1', storageVersion: false, storage: 'horizontalpodautoscalers' });
    expect(apiPrefix(findBuiltin('batch', 'v1', 'jobs')!)).toBe('/apis/batch/v1');
    expect(builtinResources.length).toBe(resources.length);
  });
});
