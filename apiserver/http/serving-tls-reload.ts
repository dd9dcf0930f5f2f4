// The secure port's certificate, key and client CA follow their files while serving, as
// Kubernetes' apiserver follows --tls-cert-file, --tls-private-key-file and --client-ca-file:
// a change (noticed through the directories' file events at once, and by reading them every
// minute in any case) is checked first (the key must match the certificate, the PEM must
// parse) and then serves every new connection; connections already open keep what they had.
// A broken or half-written set is logged and the one before stays.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface ServingTLSFiles {
  cert?: string;
  key?: string;
  clientCa?: string;
}

export interface ServingTLS {
  certPem?: string;
  keyPem?: string;
  clientCaPem?: string;
}

export interface TLSReloadOptions {
  files: ServingTLSFiles;
  /** What is served now (the files as read at start). */
  current: ServingTLS;
  apply(tls: ServingTLS): void;
  reloaded(err?: Error): void;
  signal: AbortSignal;
  intervalMs?: number;
}

const digest = (tls: ServingTLS) => createHash('sha256').update(JSON.stringify([tls.certPem, tls.keyPem, tls.clientCaPem])).digest('hex');

/** Reads the files; throws when one cannot be read or the set does not make a TLS context. */
export async function readServingTLS(files: ServingTLSFiles): Promise<ServingTLS> {
  const read = (f: string | undefined) => (f ? readFile(f, 'utf8') : Promise.resolve(undefined));
  const [certPem, keyPem, clientCaPem] = await Promise.all([read(files.cert), read(files.key), read(files.clientCa)]);
  const tls = { certPem, keyPem, clientCaPem };
  // What Node would refuse at the swap (a key of another certificate, a truncated PEM).
  createSecureContext({ ...(certPem && keyPem ? { cert: certPem, key: keyPem } : {}), ...(clientCaPem ? { ca: clientCaPem } : {}) });
  return tls;
}

export function reloadServingTLS(o: TLSReloadOptions): void {
  const paths = [o.files.cert, o.files.key, o.files.clientCa].filter((f): f is string => !!f);
  if (!paths.length) return;
  // What is served now, as far as the files go (a generated certificate is not theirs to change).
  let last = digest({ certPem: o.files.cert && o.current.certPem, keyPem: o.files.key && o.current.keyPem, clientCaPem: o.files.clientCa && o.current.clientCaPem });
  let checking = false;
  let again = false;
  const check = async () => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        let next: ServingTLS;
        try {
          next = await readServingTLS(o.files);
        } catch (err) {
          // Files being replaced one by one may not match for a moment: the next event or read decides.
          o.reloaded(err as Error);
          continue;
        }
        const d = digest(next);
        if (d === last || o.signal.aborted) continue;
        last = d;
        o.apply(next);
        o.reloaded();
      } while (again && !o.signal.aborted);
    } finally {
      checking = false;
    }
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(paths.map((p) => dirname(p)))) {
    const names = new Set(paths.filter((p) => dirname(p) === dir).map((p) => basename(p)));
    try {
      // A directory, not the files: a file replaced by a rename (how certificates are rotated) is a new file.
      const w = watch(dir, (_event, name) => {
        if (!name || names.has(name.toString()) || name.toString().startsWith('..')) void check();
      });
      w.on('error', () => undefined);
      w.unref();
      watchers.push(w);
    } catch {
      // No file events here: the periodic read still notices.
    }
  }
  const timer = setInterval(() => void check(), o.intervalMs ?? 60_000);
  timer.unref();
  o.signal.addEventListener('abort', () => {
    clearInterval(timer);
    for (const w of watchers) w.close();
  });
}
