// A configuration file the apiserver reads again while serving (--authentication-config,
// --authorization-config), as Kubernetes' apiserver does: read every few seconds; a change in
// its content is parsed and, when valid, applied; an invalid one is reported and what was
// applied before stays.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface ConfigFileWatch<T> {
  file: string;
  intervalMs: number;
  signal: AbortSignal;
  /** Parses and checks the file's text; throws what is wrong with it. */
  parse(text: string): Promise<T>;
  /** A valid new configuration. */
  apply(config: T): void;
  /** Each reload's outcome, for logs and metrics. */
  reloaded(status: 'success' | 'failure', err?: Error): void;
}

/** Watches until `signal` aborts; `initial` is the text applied at start. */
export async function watchConfigFile<T>(w: ConfigFileWatch<T>, initial: string): Promise<void> {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  let last = digest(initial);
  while (!w.signal.aborted) {
    await new Promise((r) => setTimeout(r, w.intervalMs).unref());
    if (w.signal.aborted) return;
    let text: string;
    try {
      text = await readFile(w.file, 'utf8');
    } catch (err) {
      // A file being replaced may be missing for a moment; the next read decides.
      w.reloaded('failure', err as Error);
      continue;
    }
    const now = digest(text);
    if (now === last) continue;
    last = now;
    let config: T;
    try {
      config = await w.parse(text);
    } catch (err) {
      w.reloaded('failure', err as Error);
      continue;
    }
    w.apply(config);
    w.reloaded('success');
  }
}
