import { build, type Metafile } from 'esbuild';
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

/** The project files `entry` loads when it starts: static imports only (a dynamic import loads on demand). */
async function loadedAtStart(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [entry], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent', outfile: 'out.js' });
  const inputs: Metafile['inputs'] = result.metafile.inputs;
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) {
    for (const i of inputs[todo.pop()!]?.imports ?? []) {
      if (i.kind !== 'import-statement' || i.external || seen.has(i.path)) continue;
      seen.add(i.path);
      todo.push(i.path);
    }
  }
  return [...seen];
}

describe('components load resource identities, not the kinds', () => {
  // Every kind's schema, validation and printers are the apiserver's; a component that loaded
  // them would start slower and hold ~4 MB more for nothing (api/resource-catalog.ts).
  const components = ['scheduler', 'controller-manager', 'kubelet', 'proxy', 'dns', 'metrics-server', 'simulated-nodes'];
  it.each(components)('%s starts without api/kinds or api/resources', async (component) => {
    const files = await loadedAtStart(`${component}/main.ts`);
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => /^api\/(kinds\/(?!kind\.ts$)|resources\.ts$|printers\.ts$|schema\/)/.test(f))).toEqual([]);
  }, 30_000);

  it('the apiserver does load them (the check sees what it is meant to)', async () => {
    const files = await loadedAtStart('apiserver/main.ts');
    expect(files).toContain('api/kinds/core/pod.ts');
    expect(files).toContain('api/resources.ts');
  }, 30_000);
});
