// Command-line flags from one table per component: the table gives each flag's type, default
// and help, and from it come `--help` and typed values. Syntax as Kubernetes' pflag reads it:
// `--name value` or `--name=value`; booleans as `--name`, `--name=true|false` (and, for
// scripts written against earlier versions, `--name true|false`). A bad value is a FlagError
// naming the flag, which the component turns into a message and exit code 2.
import { parseGoDuration } from '../api/go-duration.js';
import { parseCidr, parseIPv4 } from '../api/ip.js';

interface Common {
  help: string;
  /** Shown in --help after the flag name, e.g. URL or N. */
  arg?: string;
}

export type FlagSpec =
  | (Common & { type: 'string'; default?: string; oneOf?: readonly string[] })
  | (Common & { type: 'int'; default?: number; min?: number; max?: number })
  | (Common & { type: 'float'; default?: number; min?: number; max?: number })
  | (Common & { type: 'port'; default?: number })
  /** A Go duration ("40s", "1m30s", "0"); the value is milliseconds. */
  | (Common & { type: 'duration'; default?: string })
  | (Common & { type: 'bool'; default?: boolean })
  /** Comma-separated; empty items dropped. */
  | (Common & { type: 'list'; default?: readonly string[] })
  | (Common & { type: 'ip'; default?: string })
  | (Common & { type: 'cidr'; default?: string })
  /** host:port; the value is { host, port }. */
  | (Common & { type: 'hostPort'; default?: string });

export type FlagTable = Record<string, FlagSpec>;

type ValueOf<S extends FlagSpec> = S['type'] extends 'int' | 'float' | 'port' | 'duration'
  ? number
  : S['type'] extends 'bool'
    ? boolean
    : S['type'] extends 'list'
      ? string[]
      : S['type'] extends 'hostPort'
        ? { host: string; port: number }
        : string;

/** Typed values: flags with a default (and booleans) are always present. */
export type FlagValues<T extends FlagTable> = {
  [K in keyof T]: T[K] extends { default: unknown } ? ValueOf<T[K]> : T[K]['type'] extends 'bool' ? boolean : ValueOf<T[K]> | undefined;
};

export class FlagError extends Error {}

/** Whether `--name` was given on the command line (a configuration file's value yields to it, as in Kubernetes). */
export function flagGiven(argv: readonly string[], name: string): boolean {
  return argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}

/** Keeps the table's literal types (for typed values) while checking its shape. */
export function defineFlags<const T extends FlagTable>(table: T): T {
  return table;
}

function convert(name: string, spec: FlagSpec, raw: string): unknown {
  const bad = (why: string): never => {
    throw new FlagError(`invalid value "${raw}" for flag --${name}: ${why}`);
  };
  switch (spec.type) {
    case 'string':
      if (spec.oneOf && !spec.oneOf.includes(raw)) bad(`must be one of ${spec.oneOf.join(', ')}`);
      return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) bad('not an integer');
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) bad(`must be at most ${spec.max}`);
      return n;
    }
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) bad('not a number');
      if (spec.min !== undefined && n < spec.min) bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) bad(`must be at most ${spec.max}`);
      return n;
    }
    case 'port': {
      if (!/^\d+$/.test(raw) || Number(raw) > 65535) bad('not a port number (0-65535)');
      return Number(raw);
    }
    case 'duration':
      try {
        return parseGoDuration(raw);
      } catch {
        return bad('not a duration (e.g. 300ms, 40s, 1m30s)');
      }
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return bad('not a boolean (true or false)');
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'ip':
      if (parseIPv4(raw) === undefined) bad('not an IPv4 address');
      return raw;
    case 'cidr':
      try {
        return parseCidr(raw).text;
      } catch (err) {
        return bad((err as Error).message);
      }
    case 'hostPort': {
      const i = raw.lastIndexOf(':');
      const host = i < 0 ? '' : raw.slice(0, i).replace(/^\[(.*)\]$/, '$1');
      const port = i < 0 ? '' : raw.slice(i + 1);
      if (!host || !/^\d+$/.test(port) || Number(port) > 65535) bad('not host:port');
      return { host, port: Number(port) };
    }
  }
}

/** Parses `argv` (without node and the script) against the table. `help` is always accepted. */
export function parseFlags<T extends FlagTable>(table: T, argv: readonly string[]): { values: FlagValues<T>; help: boolean } {
  const raw = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new FlagError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (name === 'help' || name === 'h') {
      help = true;
      continue;
    }
    const spec = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
    if (!spec) throw new FlagError(`unknown flag: --${name}`);
    // A list flag given again adds to it, as Kubernetes' string slices do.
    const set = (value: string) => raw.set(name, spec.type === 'list' && raw.has(name) ? `${raw.get(name)},${value}` : value);
    if (eq >= 0) set(arg.slice(eq + 1));
    else if (spec.type === 'bool') {
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') {
        raw.set(name, next);
        i++;
      } else raw.set(name, 'true');
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new FlagError(`flag needs an argument: --${name}`);
      set(next);
      i++;
    }
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const given = raw.get(name);
    if (given !== undefined) values[name] = convert(name, spec, given);
    else if (spec.default !== undefined) values[name] = spec.type === 'list' ? [...(spec.default as string[])] : spec.type === 'duration' || spec.type === 'hostPort' ? convert(name, spec, spec.default as string) : spec.default;
    else if (spec.type === 'bool') values[name] = false;
  }
  return { values: values as FlagValues<T>, help };
}

function shownDefault(spec: FlagSpec): string | undefined {
  if (spec.default === undefined) return undefined;
  if (spec.type === 'bool') return spec.default ? 'true' : undefined;
  if (spec.type === 'list') return (spec.default as readonly string[]).join(',') || undefined;
  return String(spec.default);
}

/** `--help` text: every flag with its argument, help and default. */
export function usage(command: string, table: FlagTable, notes = ''): string {
  const lines = [`Usage: ${command} [flags]`, '', 'Flags:'];
  for (const [name, spec] of Object.entries(table)) {
    const arg = spec.type === 'bool' ? '' : ` ${spec.arg ?? spec.type}`;
    const def = shownDefault(spec);
    lines.push(`  --${name}${arg}`, `        ${spec.help}${def !== undefined ? ` (default "${def}")` : ''}`);
  }
  lines.push('  --help', '        Print this help and exit.');
  if (notes) lines.push('', notes);
  return lines.join('\n');
}

/** How a component finds the apiserver. */
export const apiServerFlags = defineFlags({
  master: { type: 'string', arg: 'URL', help: 'apiserver URL (overrides --kubeconfig).' },
  kubeconfig: { type: 'string', arg: 'FILE', help: "kubeconfig with the apiserver's address and credentials." },
});

/** Leader election on the kube-system Lease `lease`, with Kubernetes' flag names and timings. */
export function leaderElectionFlags(lease: string) {
  return defineFlags({
    'leader-elect': { type: 'bool', default: true, help: `Run only while holding the kube-system/${lease} Lease.` },
    'leader-elect-lease-duration': { type: 'duration', default: '15s', help: 'How long a lease holds without renewal.' },
    'leader-elect-renew-deadline': { type: 'duration', default: '10s', help: 'How long the leader keeps trying to renew before it steps down.' },
    'leader-elect-retry-period': { type: 'duration', default: '2s', help: 'How often candidates try, and the leader renews.' },
  });
}
