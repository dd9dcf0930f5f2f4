// What each process compiles and runs at start, read off its static imports (a dynamic import
// loads on demand): the kinds stay the apiserver's, and packages meant to load on first use
// stay out of every process's start.
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The project files `entry` loads when it starts: static imports only (a dynamic import loads on demand). */
async function loadedAtStart(entry: string): Promise<string[]> {
  return (await loadedAtStartWithPackages(entry)).files;
}

/** The same, and the packages (and node: modules) those files import statically. */
async function loadedAtStartWithPackages(entry: string): Promise<{ files: string[]; packages: Set<string> }> {
  const result = await build({ entryPoints: [entry], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent', outfile: 'out.js' });
  const inputs: Metafile['inputs'] = result.metafile.inputs;
  const seen = new Set<string>([entry]);
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    for (const i of inputs[todo.pop()!]?.imports ?? []) {
      if (i.kind !== 'import-statement' || seen.has(i.path)) continue;
      if (i.external) {
        packages.add(i.path);
        continue;
      }
      seen.add(i.path);
      todo.push(i.path);
    }
  }
  return { files: [...seen], packages };
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

describe("packages loaded on first use stay out of each process's start", () => {
  // The yaml package on the first real YAML (api/codec/yaml-library.ts; clients send JSON and
  // kubette writes its components' kubeconfigs as JSON), CEL and RE2 with the first object that
  // needs them (api/on-demand/), undici with the apiserver's first relay, tweetnacl with a
  // secretbox key, ws with a kubelet's first WebSocket stream.
  const everywhere = ['yaml', '@marcbachmann/cel-js', 're2js', 'undici'];
  const onDemand: Record<string, string[]> = {
    apiserver: [...everywhere, 'tweetnacl'],
    kubelet: [...everywhere, 'ws'],
    scheduler: everywhere,
    'controller-manager': everywhere,
    proxy: everywhere,
    dns: everywhere,
    'metrics-server': everywhere,
    'simulated-nodes': everywhere,
  };
  it.each(Object.entries(onDemand))('%s', async (component, packages) => {
    const loaded = (await loadedAtStartWithPackages(`${component}/main.ts`)).packages;
    expect(loaded.has('node:http') || loaded.has('node:https') || loaded.has('fastify')).toBe(true);
    expect([...loaded].filter((p) => packages.some((d) => p === d || p.startsWith(`${d}/`)))).toEqual([]);
  }, 30_000);
});
