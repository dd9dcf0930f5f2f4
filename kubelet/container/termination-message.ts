// Termination messages, as Kubernetes' kubelet gives them: every container gets an empty file of
// its own on the node, mounted at its terminationMessagePath (/dev/termination-log by default),
// where it may say why it ended; once it has exited, the file's last 4 KiB become its
// state.terminated.message. With terminationMessagePolicy FallbackToLogsOnError, a container that
// failed and wrote nothing there is described by the end of its log instead (its last 80 lines,
// at most 2 KiB). A pod's messages together stay under 12 KiB, split evenly among its containers.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Container, Pod } from '../../api/types/pod.js';
import type { ContainerRuntime, Mount } from '../runtime/runtime.js';
import type { ObservedContainer } from '../pod/observed.js';
import { hasExited } from '../pod/planner.js';
import { podDir } from './volumes.js';

export const MAX_MESSAGE_BYTES = 4096;
export const MAX_LOG_MESSAGE_BYTES = 2048;
export const MAX_LOG_MESSAGE_LINES = 80;
export const MAX_POD_MESSAGE_BYTES = 12 * 1024;

/**
 * Makes the container's message file (a new one for every run, writable by any user the
 * container runs as) and answers the mount that puts it at its terminationMessagePath.
 */
export async function terminationMessageMount(rootDir: string, pod: Pod, c: Pick<Container, 'name' | 'terminationMessagePath'>): Promise<Mount | undefined> {
  const target = c.terminationMessagePath;
  if (typeof target !== 'string' || !target.startsWith('/')) return undefined;
  const dir = join(podDir(rootDir, pod.metadata.uid!), 'containers', c.name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, randomBytes(4).toString('hex'));
  await writeFile(file, '', { mode: 0o666 });
  await chmod(file, 0o666); // the umask took bits off
  return { hostPath: file, containerPath: target, readonly: false };
}

/** The last `max` bytes of a file; '' when it is missing. */
async function tail(path: string, max: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The end of a log stream, at most `maxBytes` (the log's last lines were asked for already). */
async function lastBytes(stream: Readable, maxBytes: number): Promise<string> {
  let kept = Buffer.alloc(0);
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    kept = Buffer.concat([kept, b]);
    if (kept.length > maxBytes) kept = kept.subarray(kept.length - maxBytes);
  }
  return kept.toString('utf8');
}

export interface ExitedContainer {
  /** Its message file on the node, if it has one. */
  file?: string;
  exitCode: number;
  /** It never ran (its start failed): it has no log to fall back on. */
  neverRan: boolean;
  policy?: string;
  /** The last lines of its log. */
  logs: (tailLines: number) => Promise<Readable>;
}

/** What an exited container leaves as its termination message ('' for none). */
export async function readTerminationMessage(c: ExitedContainer): Promise<string> {
  const fallback = c.policy === 'FallbackToLogsOnError' && c.exitCode !== 0 && !c.neverRan;
  let message = '';
  if (c.file) {
    try {
      message = await tail(c.file, MAX_MESSAGE_BYTES);
    } catch (err) {
      return `Error on reading termination log ${c.file}: ${(err as Error).message}`;
    }
  }
  if (message || !fallback) return message;
  try {
    return await lastBytes(await c.logs(MAX_LOG_MESSAGE_LINES), MAX_LOG_MESSAGE_BYTES);
  } catch (err) {
    return `Error on reading termination message from logs: ${(err as Error).message}`;
  }
}

/**
 * Messages of a node's exited containers, each read once (an exited container's never changes)
 * and kept while the container is on the node.
 */
export class TerminationMessages {
  /** By pod uid, then container id. */
  private readonly known = new Map<string, Map<string, string>>();

  constructor(private readonly runtime: Pick<ContainerRuntime, 'logs'>) {}

  /** `observed` with the termination messages of the containers that exited. */
  async attach(pod: Pod, observed: ObservedContainer[]): Promise<ObservedContainer[]> {
    const uid = pod.metadata.uid!;
    const known = this.known.get(uid) ?? new Map<string, string>();
    this.known.set(uid, known);
    const specs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
    // Containers removed from the node take their messages with them (a crash loop leaves many).
    const present = new Set(observed.map((c) => c.id));
    for (const id of known.keys()) if (!present.has(id)) known.delete(id);
    return Promise.all(
      observed.map(async (c) => {
        if (c.kind === 'sandbox' || !hasExited(c)) return c;
        let message = known.get(c.id);
        if (message === undefined) {
          message = await readTerminationMessage({
            file: c.messageFile,
            exitCode: c.exitCode,
            neverRan: c.state === 'created',
            policy: specs.find((s) => s.name === c.name)?.terminationMessagePolicy,
            logs: (tailLines) => this.runtime.logs(c.id, { tailLines }),
          });
          known.set(c.id, message);
        }
        return message ? { ...c, terminationMessage: message } : c;
      }),
    );
  }

  forget(uid: string): void {
    this.known.delete(uid);
  }
}

/** A container's message cut to its share of the pod's budget (its first bytes kept). */
export function withinPodBudget(message: string, containersInPod: number): string {
  const share = Math.floor(MAX_POD_MESSAGE_BYTES / Math.max(1, containersInPod));
  const bytes = Buffer.from(message);
  return bytes.length <= share ? message : bytes.subarray(0, share).toString('utf8');
}
