// The skeleton every kubette process runs in, so each main.ts is its flag table and a `run`:
// flags parsed from the table (exit 2 and a clear message for a bad one, --help from the
// table), one pino logger (--log-level, or klog's --v), SIGTERM/SIGINT turned into an abort
// signal with a bounded drain, and the exit code.
import pino, { type Logger } from 'pino';
import { defineFlags, FlagError, parseFlags, usage, type FlagTable, type FlagValues } from './flags.js';
import { limitHeapGrowth } from './heap.js';
import { trimHeapAfterBursts } from './heap-trim.js';

/** Flags every component has. */
export const commonFlags = defineFlags({
  'log-level': { type: 'string', default: 'info', oneOf: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], arg: 'LEVEL', help: 'Log level; logs are JSON lines.' },
  v: { type: 'int', min: 0, max: 10, arg: 'N', help: "klog verbosity, for Kubernetes' habits: 4+ logs at debug, 6+ at trace (overrides --log-level)." },
});

export interface ComponentContext<T extends FlagTable> {
  flags: FlagValues<T & typeof commonFlags>;
  log: Logger;
  /** Aborted on SIGTERM or SIGINT: finish or hand back work, then return. */
  signal: AbortSignal;
}

export interface ComponentSpec<T extends FlagTable> {
  /** Command name for --help, e.g. kubette-scheduler. */
  command: string;
  /** The logger's `component` field. */
  component: string;
  flags: T;
  /** Text after the flags in --help. */
  notes?: string;
  /** More fields for every log line, from the flags (e.g. the node name). */
  logFields?: (flags: FlagValues<T & typeof commonFlags>) => Record<string, unknown>;
  /** Checks across flags; throw FlagError for a bad combination. */
  validate?: (flags: FlagValues<T & typeof commonFlags>) => void;
  /** How long `run` may take to return after a stop signal before the process exits anyway (10 s unless given). */
  drainMs?: number | ((flags: FlagValues<T & typeof commonFlags>) => number);
  run(ctx: ComponentContext<T>): Promise<void>;
}

function levelFor(flags: { 'log-level': string; v?: number }): string {
  if (flags.v === undefined) return flags['log-level'];
  return flags.v >= 6 ? 'trace' : flags.v >= 4 ? 'debug' : 'info';
}

/** Parses flags and runs the component; never returns (the process exits when `run` is done). */
export function runComponent<T extends FlagTable>(spec: ComponentSpec<T>, argv: readonly string[] = process.argv.slice(2)): void {
  const table = { ...spec.flags, ...commonFlags } as T & typeof commonFlags;
  let flags: FlagValues<T & typeof commonFlags>;
  try {
    const parsed = parseFlags(table, argv);
    if (parsed.help) {
      console.log(usage(spec.command, table, spec.notes));
      process.exit(0);
    }
    flags = parsed.values;
    spec.validate?.(flags);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(`${spec.command}: ${err.message}\nRun '${spec.command} --help' for the flags.`);
    process.exit(2);
  }
  const log = pino({ level: levelFor(flags as { 'log-level': string; v?: number }), base: { component: spec.component, ...spec.logFields?.(flags) } });
  limitHeapGrowth(spec.component);
  // Gives back what a burst left in the old generation (heap-trim.ts, measured in
  // bench:footprint); KUBETTE_HEAP_TRIM=0 leaves the heap to V8's own policy.
  if (process.env.KUBETTE_HEAP_TRIM !== '0') {
    void trimHeapAfterBursts({ onCollect: (freedBytes, pauseMs) => log.debug({ freedMB: Math.round(freedBytes / 1048576), pauseMs: Math.round(pauseMs) }, 'gave back the old generation a burst left') });
  }
  const stop = new AbortController();
  const drainMs = (typeof spec.drainMs === 'function' ? spec.drainMs(flags) : spec.drainMs) ?? 10_000;
  const shutdown = (signal: string) => {
    if (stop.signal.aborted) return;
    log.info({ signal }, 'shutting down');
    stop.abort();
    const force = setTimeout(() => {
      log.error({ drainMs }, 'did not stop in time; exiting');
      process.exit(1);
    }, drainMs);
    force.unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  spec.run({ flags, log, signal: stop.signal }).then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      log.error({ err }, `${spec.component} failed`);
      process.exit(1);
    },
  );
}
