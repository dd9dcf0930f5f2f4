// Child processes a test owns: started with their output captured to a log file, stopped
// (SIGTERM, then SIGKILL) when the test is done.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_DIR = process.env.KUBETTE_TEST_LOGS ?? join(process.cwd(), '.kubette', 'test-logs');

export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'a' });
    this.child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
