// A client of the Docker Engine API (unix socket, API v1.41 = Engine 20.10+), in Docker's own
// vocabulary: create bodies, inspect documents, networks, hijacked exec streams, events. The
// CRI-shaped runtime the kubelet uses is built on it in runtime.ts; benchmarks use it directly
// as the raw baseline.
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { ExecOptions, ExecSession, LogOptions, RegistryAuth } from '../runtime.js';
import { RuntimeError } from '../runtime.js';

const API = '/v1.41';

function splitImage(image: string): { name: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image, tag: 'latest' };
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Docker answers errors as {"message": ...}, sometimes as plain text. */
function errorMessage(text: string): string {
  try {
    return String((JSON.parse(text) as { message?: string }).message ?? text).trim();
  } catch {
    return text.trim();
  }
}

/**
 * Docker multiplexes stdout and stderr of a non-TTY container into frames with an 8-byte
 * header (stream type, 3 zero bytes, big-endian size). Splits them onto `stdout`/`stderr`.
 */
export function demultiplexTo(source: Readable, stdout: PassThrough, stderr: PassThrough): void {
  let buffer: Buffer = Buffer.alloc(0);
  source.on('data', (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length >= 8) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < 8 + size) break;
      (buffer[0] === 2 ? stderr : stdout).write(buffer.subarray(8, 8 + size));
      buffer = buffer.subarray(8 + size);
    }
  });
  source.on('end', () => (stdout.end(), stderr.end()));
  source.on('error', (err) => (stdout.destroy(err), stderr.destroy(err)));
}

/** Both streams of a non-TTY container as one text stream, in the order Docker wrote them. */
export function demultiplex(source: Readable): Readable {
  const out = new PassThrough();
  demultiplexTo(source, out, out);
  out.on('close', () => source.destroy());
  return out;
}

/** The parts of POST /containers/create the kubelet uses. */
export interface DockerCreateBody {
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  Labels: Record<string, string>;
  Hostname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  /** "uid", "uid:gid" or "name:gid". */
  User?: string;
  ExposedPorts?: Record<string, object>;
  HostConfig: {
    /** The OCI runtime (a RuntimeClass handler); absent: the daemon's default. */
    Runtime?: string;
    NetworkMode?: string;
    IpcMode?: string;
    UTSMode?: string;
    PidMode?: string;
    Binds?: string[];
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    Memory?: number;
    NanoCpus?: number;
    CpuShares?: number;
    RestartPolicy?: { Name: string };
    Dns?: string[];
    DnsSearch?: string[];
    DnsOptions?: string[];
    ExtraHosts?: string[];
    Privileged?: boolean;
    CapAdd?: string[];
    CapDrop?: string[];
    GroupAdd?: string[];
    ReadonlyRootfs?: boolean;
    /** "no-new-privileges", "seccomp=unconfined", "seccomp=<profile JSON>". */
    SecurityOpt?: string[];
    Sysctls?: Record<string, string>;
  };
}

/** The parts of GET /containers/{id}/json the kubelet reads. */
export interface DockerContainerInfo {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null; Tty?: boolean };
  State?: { Status?: string; ExitCode?: number; StartedAt?: string; FinishedAt?: string; Error?: string; OOMKilled?: boolean };
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

export interface DockerEvent {
  id: string;
  /** create, start, die, oom, destroy, ... */
  action: string;
  /** The container's labels (and Docker's name and image attributes). */
  attributes: Record<string, string>;
}

/** "k=v" label filters in Docker's query syntax. */
export function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

export class DockerEngine {
  // Connections are kept and reused (node:http over the socket; an HTTP client library cost
  // the kubelet ~0.1 s of CPU to load at every start). Event streams and followed logs each
  // hold one open; there is no limit.
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly socketPath = '/var/run/docker.sock') {}

  /** One request; resolves with the response once its headers arrive (within a minute). */
  private send(method: string, path: string, opts: { body?: string; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({
        socketPath: this.socketPath,
        agent: this.agent,
        method,
        path,
        headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body) } : {}), ...opts.headers },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const timer = setTimeout(() => req.destroy(new RuntimeError(`docker ${method} ${path}: no answer within 60s`, 504)), 60_000);
      req.on('response', (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(opts.body);
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, okCodes = [200, 201, 204, 304]): Promise<T> {
    const res = await this.send(method, API + path, body !== undefined ? { body: JSON.stringify(body) } : {});
    const text = await readText(res);
    const status = res.statusCode ?? 0;
    if (!okCodes.includes(status)) throw new RuntimeError(errorMessage(text) || `docker ${method} ${path}: HTTP ${status}`, status);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The OCI runtimes the daemon is configured with (runc, and whatever daemon.json adds). */
  async runtimes(): Promise<string[]> {
    const info = await this.call<{ Runtimes?: Record<string, unknown> }>('GET', '/info');
    return Object.keys(info.Runtimes ?? {});
  }

  /** Where the daemon keeps images and containers' layers (its data root). */
  async rootDir(): Promise<string | undefined> {
    const info = await this.call<{ DockerRootDir?: string }>('GET', '/info');
    return info.DockerRootDir || undefined;
  }

  async version() {
    const v = await this.call<{ Version: string; ApiVersion: string }>('GET', '/version');
    return { name: 'docker', version: v.Version, apiVersion: v.ApiVersion };
  }

  async imageID(image: string): Promise<string | undefined> {
    try {
      return (await this.call<{ Id: string }>('GET', `/images/${encodeURIComponent(image)}/json`)).Id;
    } catch (err) {
      if (err instanceof RuntimeError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** One reading of a container's cgroup counters (one-shot: no second sample is waited for). */
  async stats(id: string): Promise<{
    read?: string;
    cpu_stats?: { cpu_usage?: { total_usage?: number } };
    memory_stats?: { usage?: number; stats?: Record<string, number> };
    pids_stats?: { current?: number };
    /** By interface, for a container with its own network namespace. */
    networks?: Record<string, { rx_bytes?: number; rx_errors?: number; tx_bytes?: number; tx_errors?: number }>;
  }> {
    return this.call('GET', `/containers/${id}/stats?stream=false&one-shot=true`);
  }

  /** The image's size in bytes, as `docker image inspect` gives it. */
  async imageSize(image: string): Promise<number> {
    return (await this.call<{ Size?: number }>('GET', `/images/${encodeURIComponent(image)}/json`)).Size ?? 0;
  }

  /** The image's configured user ("" when it sets none). */
  async imageUser(image: string): Promise<string> {
    return (await this.call<{ Config?: { User?: string } | null }>('GET', `/images/${encodeURIComponent(image)}/json`)).Config?.User ?? '';
  }

  /**
   * Pulls `image`, with `auth` for its registry if given: the Engine API's X-Registry-Auth, its
   * JSON in URL-safe base64 with padding (Docker 20.10 ignores the header without it).
   */
  async pullImage(image: string, auth?: RegistryAuth): Promise<void> {
    const { name, tag } = splitImage(image);
    const encoded = auth ? Buffer.from(JSON.stringify(auth)).toString('base64').replaceAll('+', '-').replaceAll('/', '_') : undefined;
    const headers: Record<string, string> = encoded ? { 'x-registry-auth': encoded } : {};
    const res = await this.send('POST', `${API}/images/create?fromImage=${encodeURIComponent(name)}&tag=${encodeURIComponent(tag)}`, { headers });
    const text = await readText(res);
    if (res.statusCode !== 200) throw new RuntimeError(errorMessage(text) || `pull of ${image} failed: HTTP ${res.statusCode}`, res.statusCode ?? 0);
    // Errors during the pull arrive inside the 200 progress stream.
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { error?: string };
      if (ev.error) throw new RuntimeError(ev.error, 500);
    }
  }

  async createContainer(name: string, body: DockerCreateBody): Promise<string> {
    const res = await this.call<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, body);
    return res.Id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call('POST', `/containers/${id}/start`);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.call('POST', `/containers/${id}/stop?t=${Math.max(0, Math.floor(timeoutSeconds))}`, undefined, [204, 304, 404]);
  }

  async removeContainer(id: string): Promise<void> {
    await this.call('DELETE', `/containers/${id}?force=true&v=true`, undefined, [204, 404]);
  }

  /** A volume of Docker's local driver (`opts` are its driver options); an existing one is kept. */
  async createVolume(name: string, opts: Record<string, string>, labels: Record<string, string>): Promise<void> {
    await this.call('POST', '/volumes/create', { Name: name, Driver: 'local', DriverOpts: opts, Labels: labels }, [200, 201]);
  }

  /** Volumes carrying every given "k=v" label. */
  async listVolumes(labels: string[]): Promise<Array<{ Name: string; Labels: Record<string, string> | null }>> {
    const filters = JSON.stringify({ label: labels });
    const res = await this.call<{ Volumes: Array<{ Name: string; Labels: Record<string, string> | null }> | null }>('GET', `/volumes?filters=${encodeURIComponent(filters)}`);
    return res.Volumes ?? [];
  }

  async removeVolume(name: string): Promise<void> {
    await this.call('DELETE', `/volumes/${encodeURIComponent(name)}`, undefined, [204, 404]);
  }

  /** Ids of the containers (running or not) carrying every given "k=v" label. */
  async listContainerIds(labels: string[]): Promise<string[]> {
    const filters = JSON.stringify({ label: labels });
    const list = await this.call<Array<{ Id: string }>>('GET', `/containers/json?all=1&filters=${encodeURIComponent(filters)}`);
    return list.map((c) => c.Id);
  }

  /** Inspects each; those removed meanwhile are left out. */
  async inspectAll(ids: string[]): Promise<DockerContainerInfo[]> {
    const out: DockerContainerInfo[] = [];
    // A few at a time: a pod's handful at once, a whole node's without flooding the engine.
    for (let i = 0; i < ids.length; i += 8) {
      const batch = await Promise.all(
        ids.slice(i, i + 8).map((id) =>
          this.inspectContainer(id).catch((err: unknown) => {
            if (err instanceof RuntimeError && err.statusCode === 404) return undefined;
            throw err;
          }),
        ),
      );
      for (const c of batch) if (c) out.push(c);
    }
    return out;
  }

  async inspectContainer(id: string): Promise<DockerContainerInfo> {
    return this.call<DockerContainerInfo>('GET', `/containers/${encodeURIComponent(id)}/json`);
  }

  /** Bytes in the container's writable layer (`docker inspect --size`: the engine walks the layer, so not cheap). */
  async containerSize(id: string): Promise<number> {
    const info = await this.call<{ SizeRw?: number }>('GET', `/containers/${encodeURIComponent(id)}/json?size=1`);
    return info.SizeRw ?? 0;
  }

  /** Both streams as one; `tty` says whether the container has a terminal (then nothing is multiplexed). */
  async logs(id: string, opts: LogOptions, tty: boolean): Promise<Readable> {
    const q = new URLSearchParams({ stdout: '1', stderr: '1', follow: opts.follow ? '1' : '0', timestamps: opts.timestamps ? '1' : '0' });
    if (opts.tailLines !== undefined) q.set('tail', String(opts.tailLines));
    if (opts.sinceSeconds !== undefined) q.set('since', String(Math.floor(Date.now() / 1000) - opts.sinceSeconds));
    const res = await this.send('GET', `${API}/containers/${id}/logs?${q}`);
    if (res.statusCode !== 200) throw new RuntimeError(await readText(res), res.statusCode ?? 0);
    return tty ? res : demultiplex(res);
  }

  /** The bridge networks named exactly `name` (Docker's name filter matches substrings). */
  private async networksNamed(name: string): Promise<Array<{ Id: string; Name: string; Created: string }>> {
    const filters = encodeURIComponent(JSON.stringify({ name: [name] }));
    const all = await this.call<Array<{ Id: string; Name: string; Created: string }>>('GET', `/networks?filters=${filters}`);
    return all.filter((n) => n.Name === name);
  }

  /**
   * Makes sure one bridge network of this name exists and returns its id. Kubelets sharing an
   * engine, or an engine that ignores CheckDuplicate, may still end up with twins; then
   * everyone settles on the oldest (ties by id) and the unused twins are removed, so a name
   * that became ambiguous heals instead of failing every later pod.
   */
  async ensureNetwork(name: string, labels: Record<string, string>): Promise<string> {
    let found = await this.networksNamed(name);
    if (found.length === 0) {
      await this.call('POST', '/networks/create', { Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels }, [200, 201, 409]);
      found = await this.networksNamed(name);
    }
    if (found.length === 0) throw new RuntimeError(`network ${name} vanished right after it was created`, 404);
    found.sort((a, b) => Date.parse(a.Created) - Date.parse(b.Created) || a.Id.localeCompare(b.Id));
    const [chosen, ...twins] = found;
    for (const twin of twins) {
      // A twin with containers attached refuses removal (403); it is simply never used again.
      await this.call('DELETE', `/networks/${twin.Id}`, undefined, [200, 204, 403, 404, 409]).catch(() => undefined);
    }
    return chosen!.Id;
  }

  /** POSTs to an endpoint that hands the connection over ("hijacks" it) after a 101, on a connection of its own. */
  private hijack(path: string, body: unknown): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const req = httpRequest({
        socketPath: this.socketPath,
        method: 'POST',
        path: `${API}${path}`,
        headers: { 'content-type': 'application/json', connection: 'Upgrade', upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, sock, head) => {
        if (head.length) sock.unshift(head);
        resolve(sock);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => reject(new RuntimeError(errorMessage(text) || `${path}: HTTP ${res.statusCode}`, res.statusCode ?? 500)));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** A session over a hijacked connection: Docker's stream framing undone, stdin half-closable. */
  private session(socket: Socket, opts: ExecOptions, exitCode: Promise<number>, resize: (w: number, h: number) => Promise<void>): ExecSession {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (opts.tty) {
      socket.pipe(stdout);
      stderr.end();
    } else {
      demultiplexTo(socket, stdout, stderr);
    }
    exitCode.catch(() => undefined);
    let stdin: Writable | undefined;
    if (opts.stdin) {
      stdin = new Writable({
        write: (chunk, _enc, cb) => (socket.writable ? socket.write(chunk, cb) : cb()),
        // Half-closing the connection is how Docker learns stdin ended.
        final: (cb) => (socket.writable ? socket.end(cb) : cb()),
      });
    }
    return { stdin, stdout, stderr, exitCode, resize, close: () => socket.destroy() };
  }

  async exec(id: string, command: string[], opts: ExecOptions): Promise<ExecSession> {
    const created = await this.call<{ Id: string }>('POST', `/containers/${id}/exec`, {
      AttachStdin: opts.stdin,
      AttachStdout: opts.stdout,
      AttachStderr: opts.stderr,
      Tty: opts.tty,
      Cmd: command,
    });
    const execId = created.Id;
    const socket = await this.hijack(`/exec/${execId}/start`, { Detach: false, Tty: opts.tty });
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return this.session(socket, opts, ended.then(() => this.execExitCode(execId)), async (width, height) => {
      await this.call('POST', `/exec/${execId}/resize?h=${Math.floor(height)}&w=${Math.floor(width)}`, undefined, [200, 201, 404, 409]);
    });
  }

  /** Attaches to a running container's own stdio (kubectl attach); the exit code is the container's. */
  async attach(id: string, opts: ExecOptions): Promise<ExecSession> {
    const q = new URLSearchParams({ stream: '1', stdin: opts.stdin ? '1' : '0', stdout: opts.stdout ? '1' : '0', stderr: opts.stderr ? '1' : '0' });
    const socket = await this.hijack(`/containers/${id}/attach?${q}`, undefined);
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const exitCode = ended.then(async () => (await this.call<{ State?: { Running?: boolean; ExitCode?: number } }>('GET', `/containers/${id}/json`)).State?.ExitCode ?? 0);
    return this.session(socket, opts, exitCode, async (width, height) => {
      await this.call('POST', `/containers/${id}/resize?h=${Math.floor(height)}&w=${Math.floor(width)}`, undefined, [200, 201, 404, 409]);
    });
  }

  /** The exit code of a finished exec; Docker may need a moment to record it. */
  private async execExitCode(execId: string): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const info = await this.call<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${execId}/json`);
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 20 * Math.min(i + 1, 10)));
    }
    throw new RuntimeError(`exec ${execId} did not report an exit code`, 500);
  }

  /** Container events for containers carrying every given "k=v" label, until `signal` aborts. */
  async *events(labels: string[], signal: AbortSignal): AsyncIterable<DockerEvent> {
    const filters = JSON.stringify({ type: ['container'], label: labels });
    let res: IncomingMessage;
    try {
      res = await this.send('GET', `${API}/events?filters=${encodeURIComponent(filters)}`, { signal });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (res.statusCode !== 200) throw new RuntimeError(await readText(res), res.statusCode ?? 0);
    let buffer = '';
    try {
      for await (const chunk of res) {
        buffer += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as { id?: string; Action?: string; status?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
          yield { id: ev.Actor?.ID ?? ev.id ?? '', action: (ev.Action ?? ev.status ?? '').split(':')[0]!, attributes: ev.Actor?.Attributes ?? {} };
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async listImages(): Promise<Array<{ names: string[]; sizeBytes: number }>> {
    const list = await this.call<Array<{ Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null; Size: number }>>('GET', '/images/json');
    return list.map((i) => ({ names: [...(i.RepoDigests ?? []), ...(i.RepoTags ?? []).filter((t) => t !== '<none>:<none>')], sizeBytes: i.Size })).filter((i) => i.names.length > 0);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
