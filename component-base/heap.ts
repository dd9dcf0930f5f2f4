// How a component's JavaScript heap is sized, trading a little throughput for a lot less
// resident memory (BENCHMARKS.md, control-plane memory). nodeFlags() go on the node command
// line of every component (the image's entry point, the launcher, the test harness): a
// young generation of 2 MB per semi-space instead of up to 16 MB, and 4 MB for the apiserver,
// which serves every request of the cluster and whose requests' objects would otherwise be
// promoted before they die.
// limitHeapGrowth() fixes how far the heap may grow past its live data before V8 collects:
// V8's own policy lets a busy process grow up to 4x and gives little back while it stays busy,
// and a control-plane component is never idle for long (Leases, heartbeats, watches). The
// apiserver, the cluster's bottleneck, collects at 1.5x its live data; every other component
// at 1.25x (the scheduler's and controller-manager's work per pod is a third of the
// apiserver's, so their extra collections do not slow a burst). What each setting saved and
// cost at 1,000 nodes and 5,000 pods is in BENCHMARKS.md.
// KUBETTE_HEAP_GROWING_PERCENT overrides the factor; 0 gives V8's own policy back.
import { setFlagsFromString } from 'node:v8';

/** Young-generation semi-space size (MB) of the apiserver and of every other component. */
export const SEMI_SPACE_MB = { apiserver: 4, other: 2 } as const;

/** The node flags for a component, known by its entry script (`.../apiserver/main.js`). */
export function nodeFlags(entryScript: string): string[] {
  const apiserver = /(?:^|[\\/])apiserver[\\/]main\.js$/.test(entryScript);
  return [`--max-semi-space-size=${SEMI_SPACE_MB[apiserver ? 'apiserver' : 'other']}`];
}

/**
 * glibc malloc settings for a component's process, read by glibc when the process starts (so
 * they go in the environment it is started with, by whoever starts it). One arena instead of
 * one per thread (up to 16 on two cores, each holding the garbage of V8's compiler and GC
 * threads), and a fixed 128 KB threshold for serving an allocation with its own mapping and
 * for giving the top of the heap back; by default glibc raises both after the first large
 * buffer is freed (a big LIST or watch frame), and every later buffer below that size then
 * fragments the heap. Measured at 1,000 nodes and 5,000 pods: 20 MB less resident memory for
 * the three control-plane processes (BENCHMARKS.md).
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072',
};

/** The MALLOC_ENV entries `env` does not set itself (an operator's own setting wins). */
export function mallocEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(MALLOC_ENV).filter(([name]) => env[name] === undefined));
}

/** How far (percent) a component's heap grows past its live data before a full collection. */
export const HEAP_GROWING_PERCENT = { apiserver: 50, other: 25 } as const;

/** The growing factor for `component` (its spec name, e.g. 'apiserver'), set in this process's V8. */
export function limitHeapGrowth(component: string, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.KUBETTE_HEAP_GROWING_PERCENT;
  const percent = raw !== undefined && /^\d{1,3}$/.test(raw) ? Number(raw) : HEAP_GROWING_PERCENT[component === 'apiserver' ? 'apiserver' : 'other'];
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
