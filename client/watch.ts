// Reads a watch stream: newline-delimited JSON events, possibly split across chunks.
import type { Readable } from 'node:stream';
import type { KubeObject, WatchEvent } from '../api/types/meta.js';

export async function* readWatchEvents<T extends KubeObject = KubeObject>(body: Readable): AsyncGenerator<WatchEvent<T>> {
  let buffer = '';
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield JSON.parse(line) as WatchEvent<T>;
    }
  }
  const rest = buffer.trim();
  if (rest) yield JSON.parse(rest) as WatchEvent<T>;
}
