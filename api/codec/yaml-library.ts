// The yaml package, loaded the first time something reads or writes real YAML. Kubernetes
// clients send JSON and the kubeconfigs kubette writes for its components are JSON (which YAML
// readers accept), so most processes never need it: loaded at start it cost each component
// ~250 KB more to compile and ~2 MB of memory (BENCHMARKS.md). Synchronous (a CommonJS
// require), so the callers stay synchronous; bundled entry points resolve it from node_modules.
import { createRequire } from 'node:module';

type YamlLibrary = typeof import('yaml');

let library: YamlLibrary | undefined;

export function yamlLibrary(): YamlLibrary {
  return (library ??= createRequire(import.meta.url)('yaml') as YamlLibrary);
}
