// How a component's JavaScript heap is sized. NODE_FLAGS are given on the node command line
// by whatever starts a component (the image's entrypoint, the launcher, the test harness):
// a 4 MB young generation instead of up to 16 MB per semi-space (the extra room is resident
// memory a control-plane process keeps forever; no throughput difference was measurable).
// limitHeapGrowth() sets how much the JavaScript heap may grow past what is live before V8 collects. By default V8
// lets a busy process's heap grow up to 4x its live data and gives little back while it stays
// busy, and a control-plane component is never idle for long (Leases, heartbeats, watches).
// A fixed 1.5x factor kept the control plane's resident memory at 1,000 nodes and 5,000 pods
// about a quarter lower at the same throughput (BENCHMARKS.md, control-plane memory).
// KUBETTE_HEAP_GROWING_PERCENT overrides it; 0 gives V8's own policy back.
import { setFlagsFromString } from 'node:v8';

export const NODE_FLAGS = ['--max-semi-space-size=4'];

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.KUBETTE_HEAP_GROWING_PERCENT;
  const percent = raw !== undefined && /^\d{1,3}$/.test(raw) ? Number(raw) : DEFAULT_HEAP_GROWING_PERCENT;
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
