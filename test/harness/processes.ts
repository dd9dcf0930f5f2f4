// Child processes a test owns: started with their output captured to a log file, stopped
// (SIGTERM, then SIGKILL) when the test is done.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_DIR = process.env.KUBETTE_TEST_LOGS ?? join(process.cwd(), '.kubette', 'test-logs');

const RECENT_LINES = 40;

export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves once it exited and its output is read to the end. */
  readonly drained: Promise<void>;
  /** Its last lines of output, for a failure's message (the whole is in its log). */
  private readonly recent: string[] = [];

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
    /**
     * Start it as a process group's leader: the processes it starts (a launcher's parts) are
     * in its group, and a SIGKILL on timeout goes to all of them, so none outlives the test.
     */
    private readonly group = false,
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'a' });
    this.child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        this.recent.push(...chunk.toString().split('\n').filter(Boolean));
        this.recent.splice(0, Math.max(0, this.recent.length - RECENT_LINES));
      });
    }
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.drained = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  /** The last lines it printed, oldest first. */
  recentOutput(): string[] {
    return [...this.recent];
  }

  /** recentOutput() once what it printed before exiting is read (a second at most). */
  async lastWords(): Promise<string[]> {
    await Promise.race([this.drained, new Promise((r) => setTimeout(r, 1000))]);
    return this.recentOutput();
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let late = false;
    const t = setTimeout(() => {
      late = true;
      this.killAll();
    }, timeoutMs);
    await this.exited;
    clearTimeout(t);
    // A group leader that stopped in time has stopped what it started: anything left of its
    // group is a bug to see (and not to leak).
    const left = this.group && !late ? groupMembers(this.child.pid!) : [];
    if (left.length) {
      console.warn(`${this.name} exited and left processes of its group running; killing them:\n${left.join('\n')}`);
      this.killAll();
    }
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.killAll();
    await this.exited;
  }

  private killAll(): void {
    if (!this.group) return void this.child.kill('SIGKILL');
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // The group is already empty.
    }
  }
}

/** The command lines of the live processes in group `pgid` (Linux /proc; zombies are already gone, only not reaped). */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // stat: pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      members.push(`  ${entry}: ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 200)}`);
    } catch {
      // gone meanwhile
    }
  }
  return members;
}
