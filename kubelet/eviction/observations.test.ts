import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { observeNode, parseMemory, parseTaskCount, pidObservation } from './observations.js';
import { diskUsage } from './pod-usage.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('node signals', () => {
  it('reads memory from /proc/meminfo: total, and what is available', () => {
    expect(parseMemory('MemTotal:       16384 kB\nMemFree:  100 kB\nMemAvailable:    4096 kB\n')).toEqual({ capacity: 16384 * 1024, available: 4096 * 1024 });
    expect(() => parseMemory('MemTotal: 1 kB\n')).toThrow();
  });

  it('counts process ids against the smaller of pid_max and threads-max', () => {
    expect(parseTaskCount('0.57 2.72 4.66 1/330 16504\n')).toBe(330);
    expect(pidObservation(32768, 192735, 330)).toEqual({ capacity: 32768, available: 32438 });
    expect(pidObservation(4194304, 1000, 10)).toEqual({ capacity: 1000, available: 990 });
  });

  it("observes this machine: memory, the node's filesystem (image filesystem the same when unknown), pids", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubette-obs-'));
    dirs.push(dir);
    const o = await observeNode(dir, undefined);
    for (const s of ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'] as const) {
      const v = o.get(s)!;
      expect(v.capacity).toBeGreaterThan(0);
      expect(v.available).toBeLessThanOrEqual(v.capacity);
    }
    expect(o.get('imagefs.available')).toEqual(o.get('nodefs.available'));
    // A filesystem that cannot be read leaves its signals out.
    const missing = await observeNode(join(dir, 'nope'), undefined);
    expect(missing.has('nodefs.available')).toBe(false);
    expect(missing.has('memory.available')).toBe(true);
  });

  it('measures a tree as du does, without following links, leaving out what it is told to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubette-du-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'f'), Buffer.alloc(64 * 1024, 1));
    mkdirSync(join(dir, 'skip'));
    writeFileSync(join(dir, 'skip', 'g'), Buffer.alloc(64 * 1024, 1));
    symlinkSync('/', join(dir, 'root-link'));
    const all = await diskUsage(dir);
    const some = await diskUsage(dir, new Set([join(dir, 'skip')]));
    expect(all.bytes).toBeGreaterThanOrEqual(128 * 1024);
    expect(all.bytes).toBeLessThan(1024 * 1024);
    expect(all.inodes).toBe(6);
    expect(all.bytes - some.bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(some.inodes).toBe(4);
  });
});
