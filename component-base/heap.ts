// How a component's JavaScript heap is sized, trading a little throughput for a lot less
// resident memory (BENCHMARKS.md, control-plane memory). NODE_FLAGS go on the node command
// line of every component (the image's entrypoint, the launcher, the test harness): an 8 MB
// young generation instead of up to 16 MB per semi-space, room a control-plane process would
// otherwise keep resident for good. limitHeapGrowth() fixes how far the heap may grow past
// its live data before V8 collects at 1.5x: V8's own policy lets a busy process grow up to
// 4x and gives little back while it stays busy, and a control-plane component is never idle
// for long (Leases, heartbeats, watches). Measured at 1,000 nodes and 5,000 pods: about 40%
// less resident memory, 5-20% fewer writes or bindings per second in bursts.
// KUBETTE_HEAP_GROWING_PERCENT overrides the factor; 0 gives V8's own policy back.
import { setFlagsFromString } from 'node:v8';

export const NODE_FLAGS = ['--max-semi-space-size=8'];

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.KUBETTE_HEAP_GROWING_PERCENT;
  const percent = raw !== undefined && /^\d{1,3}$/.test(raw) ? Number(raw) : DEFAULT_HEAP_GROWING_PERCENT;
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
