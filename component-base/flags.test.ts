import { describe, expect, it } from 'vitest';
import { defineFlags, FlagError, parseFlags, usage } from './flags.js';

const table = defineFlags({
  name: { type: 'string', default: 'x', help: 'a name' },
  mode: { type: 'string', default: 'a', oneOf: ['a', 'b'], help: 'a mode' },
  count: { type: 'int', default: 3, min: 1, help: 'a count' },
  port: { type: 'port', default: 80, help: 'a port' },
  period: { type: 'duration', default: '40s', help: 'a period' },
  elect: { type: 'bool', default: true, help: 'elect' },
  quiet: { type: 'bool', help: 'quiet' },
  items: { type: 'list', default: ['*'], help: 'items' },
  ip: { type: 'ip', help: 'an address' },
  range: { type: 'cidr', default: '10.96.0.0/12', help: 'a range' },
  listen: { type: 'hostPort', default: '0.0.0.0:10256', help: 'where' },
  master: { type: 'string', help: 'no default' },
});

describe('flags', () => {
  it('gives typed defaults', () => {
    const { values, help } = parseFlags(table, []);
    expect(help).toBe(false);
    expect(values).toEqual({ name: 'x', mode: 'a', count: 3, port: 80, period: 40_000, elect: true, quiet: false, items: ['*'], range: '10.96.0.0/12', listen: { host: '0.0.0.0', port: 10256 } });
    expect(values.master).toBeUndefined();
  });

  it('reads --name value, --name=value and booleans in pflag style', () => {
    const { values } = parseFlags(table, ['--name', 'n', '--count=7', '--period', '1m30s', '--elect=false', '--quiet', '--items', 'a,,b', '--ip=10.0.0.1', '--listen', '127.0.0.1:0', '--mode=b']);
    expect(values).toMatchObject({ name: 'n', count: 7, period: 90_000, elect: false, quiet: true, items: ['a', 'b'], ip: '10.0.0.1', listen: { host: '127.0.0.1', port: 0 }, mode: 'b' });
    expect(parseFlags(table, ['--elect', 'false', '--quiet', 'true']).values).toMatchObject({ elect: false, quiet: true });
    expect(parseFlags(table, ['--help']).help).toBe(true);
  });

  it('refuses bad values with a message naming the flag', () => {
    const bad = (args: string[]) => {
      try {
        parseFlags(table, args);
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(FlagError);
        return (err as Error).message;
      }
    };
    expect(bad(['--count', 'abc'])).toBe('invalid value "abc" for flag --count: not an integer');
    expect(bad(['--count', '0'])).toMatch(/at least 1/);
    expect(bad(['--port', '70000'])).toMatch(/--port: not a port/);
    expect(bad(['--port', 'abc'])).toMatch(/--port/);
    expect(bad(['--period', '40'])).toMatch(/--period: not a duration/);
    expect(bad(['--elect=maybe'])).toMatch(/not a boolean/);
    expect(bad(['--ip', '300.1.1.1'])).toMatch(/not an IPv4 address/);
    expect(bad(['--range', '10.0.0.0/40'])).toMatch(/--range/);
    expect(bad(['--listen', 'nohost'])).toMatch(/not host:port/);
    expect(bad(['--mode', 'c'])).toMatch(/one of a, b/);
    expect(bad(['--bogus'])).toBe('unknown flag: --bogus');
    expect(bad(['--name'])).toBe('flag needs an argument: --name');
    expect(bad(['stray'])).toBe('unexpected argument "stray"');
    expect(bad(['--__proto__', 'x'])).toBe('unknown flag: --__proto__');
  });

  it('writes --help from the table', () => {
    const text = usage('kubette-x', table);
    expect(text).toContain('  --count int\n        a count (default "3")');
    expect(text).toContain('  --quiet\n        quiet\n');
    expect(text).toContain('--help');
  });
});
