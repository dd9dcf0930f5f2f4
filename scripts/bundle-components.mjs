// Turns each component's compiled entry point (dist/<component>/main.js) into one file holding
// the component and the packages it imports, in place, for the image. Node then reads and
// compiles one file instead of resolving, reading and wrapping hundreds of modules: a component
// starts about a third sooner and keeps ~8 MB less, which is what a whole cluster starting at
// once on two cores waits on (docker compose up). The tests run the unbundled dist/ (clearer
// stacks); test/compose runs the image, so the bundles are tested there.
//
// node_modules stays beside dist/: anything required at run time rather than imported is
// resolved from there.
import console from 'node:console';
import { build } from 'esbuild';

const ENTRY_POINTS = [
  'apiserver/main',
  'scheduler/main',
  'controller-manager/main',
  'kubelet/main',
  'proxy/main',
  'dns/main',
  'metrics-server/main',
  'simulated-nodes/main',
  'launcher/pki-main',
];

// Packages a component loads only when it needs them (or never) stay out of its bundle and are
// resolved from node_modules if it does: V8 scans every byte of a bundle at start, used or not.
// The apiserver loads undici on its first relay to a kubelet or an aggregated server; fastify's
// schema compilers are never loaded (no route declares a schema; apiserver/app.ts). CEL and RE2
// are loaded by the apiserver and the controller-manager with the first object that needs them
// (api/on-demand/); every component reaches that loader through the kinds, and
// bundled they would add ~450 KB to each (a third more to scan at start).
const ON_DEMAND = ['@marcbachmann/cel-js', '@marcbachmann/cel-js/evaluator', 're2js'];
const LOADED_LATER = {
  'apiserver/main': ['undici', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
};

await Promise.all(
  ENTRY_POINTS.map((entry) =>
    build({
      external: [...ON_DEMAND, ...(LOADED_LATER[entry] ?? [])],
      entryPoints: [`dist/${entry}.js`],
      // In place, and what a component imports on demand (api/on-demand/loader.ts) stays on
      // demand: a chunk of its own, loaded by the dynamic import, instead of code inlined into
      // the entry point with its packages imported at start.
      outdir: 'dist',
      outbase: 'dist',
      entryNames: '[dir]/[name]',
      splitting: true,
      chunkNames: `${entry.split('/')[0]}/chunks/[name]-[hash]`,
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // CommonJS packages inside an ES module bundle call require(): give them Node's.
      banner: { js: "import { createRequire as kubetteCreateRequire } from 'node:module'; const require = kubetteCreateRequire(import.meta.url);" },
      logLevel: 'warning',
    }),
  ),
);
console.log(`bundled ${ENTRY_POINTS.length} entry points`);
