// The container runtime over the Docker Engine API (unix socket, API v1.41 = Engine 20.10+).
import { PassThrough, type Readable } from 'node:stream';
import { Client, type Dispatcher } from 'undici';
import type { ContainerRuntime, ContainerSpec, ContainerStatus, LogOptions } from './runtime.js';
import { RuntimeError } from './runtime.js';

const API = '/v1.41';

function splitImage(image: string): { name: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image, tag: 'latest' };
}

/** Docker answers errors as {"message": ...}, sometimes as plain text. */
function errorMessage(text: string): string {
  try {
    return String((JSON.parse(text) as { message?: string }).message ?? text).trim();
  } catch {
    return text.trim();
  }
}

/** Docker multiplexes stdout and stderr of a non-TTY container into 8-byte-headed frames. */
export function demultiplex(source: Readable): Readable {
  const out = new PassThrough();
  let buffer = Buffer.alloc(0);
  source.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 8) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < 8 + size) break;
      out.write(buffer.subarray(8, 8 + size));
      buffer = buffer.subarray(8 + size);
    }
  });
  source.on('end', () => out.end());
  source.on('error', (err) => out.destroy(err));
  out.on('close', () => source.destroy());
  return out;
}

export class DockerRuntime implements ContainerRuntime {
  private readonly client: Client;

  constructor(socketPath = '/var/run/docker.sock') {
    this.client = new Client('http://docker', { socketPath, bodyTimeout: 0, headersTimeout: 60_000 });
  }

  private async call<T>(method: Dispatcher.HttpMethod, path: string, body?: unknown, okCodes = [200, 201, 204, 304]): Promise<T> {
    const res = await this.client.request({
      method,
      path: API + path,
      headers: body !== undefined ? { 'content-type': 'application/json' } : undefined,
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    if (!okCodes.includes(res.statusCode)) throw new RuntimeError(errorMessage(text) || `docker ${method} ${path}: HTTP ${res.statusCode}`, res.statusCode);
    return (text ? JSON.parse(text) : undefined) as T;
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

  async pullImage(image: string): Promise<void> {
    const { name, tag } = splitImage(image);
    const res = await this.client.request({ method: 'POST', path: `${API}/images/create?fromImage=${encodeURIComponent(name)}&tag=${encodeURIComponent(tag)}` });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new RuntimeError(errorMessage(text) || `pull of ${image} failed: HTTP ${res.statusCode}`, res.statusCode);
    // Errors during the pull arrive inside the 200 progress stream.
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { error?: string };
      if (ev.error) throw new RuntimeError(ev.error, 500);
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const body = {
      Image: spec.image,
      Entrypoint: spec.entrypoint,
      Cmd: spec.command,
      Env: spec.env,
      WorkingDir: spec.workingDir,
      Labels: spec.labels,
      Hostname: spec.networkMode?.startsWith('container:') ? undefined : spec.hostname,
      Tty: spec.tty ?? false,
      OpenStdin: spec.stdin ?? false,
      ExposedPorts: spec.portBindings ? Object.fromEntries(Object.keys(spec.portBindings).map((p) => [p, {}])) : undefined,
      HostConfig: {
        NetworkMode: spec.networkMode,
        IpcMode: spec.ipcMode,
        PidMode: spec.pidMode,
        Binds: spec.binds,
        PortBindings: spec.portBindings
          ? Object.fromEntries(Object.entries(spec.portBindings).map(([p, bs]) => [p, bs.map((b) => ({ HostIp: b.hostIP ?? '', HostPort: b.hostPort }))]))
          : undefined,
        Memory: spec.memoryBytes,
        NanoCpus: spec.nanoCPUs,
        CpuShares: spec.cpuShares,
        RestartPolicy: { Name: 'no' },
      },
    };
    const res = await this.call<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(spec.name)}`, body);
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

  async listContainers(labels: Record<string, string>): Promise<ContainerStatus[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
    const list = await this.call<Array<{ Id: string }>>('GET', `/containers/json?all=1&filters=${encodeURIComponent(filters)}`);
    const out: ContainerStatus[] = [];
    for (const c of list) {
      try {
        out.push(await this.inspectContainer(c.Id));
      } catch (err) {
        if (!(err instanceof RuntimeError && err.statusCode === 404)) throw err; // removed meanwhile
      }
    }
    return out;
  }

  async inspectContainer(id: string): Promise<ContainerStatus> {
    const c = await this.call<any>('GET', `/containers/${id}/json`);
    const networks = Object.values((c.NetworkSettings?.Networks ?? {}) as Record<string, { IPAddress?: string }>);
    const unset = (t: string | undefined) => (!t || t.startsWith('0001-01-01') ? undefined : t);
    return {
      id: c.Id,
      name: String(c.Name ?? '').replace(/^\//, ''),
      image: c.Config?.Image ?? '',
      imageID: c.Image ?? '',
      labels: c.Config?.Labels ?? {},
      state: c.State?.Status ?? 'dead',
      exitCode: c.State?.ExitCode ?? 0,
      startedAt: unset(c.State?.StartedAt),
      finishedAt: unset(c.State?.FinishedAt),
      error: c.State?.Error || undefined,
      oomKilled: c.State?.OOMKilled ?? false,
      ip: networks.map((n) => n.IPAddress).find(Boolean) || c.NetworkSettings?.IPAddress || undefined,
    };
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const info = await this.call<any>('GET', `/containers/${id}/json`);
    const q = new URLSearchParams({ stdout: '1', stderr: '1', follow: opts.follow ? '1' : '0', timestamps: opts.timestamps ? '1' : '0' });
    if (opts.tailLines !== undefined) q.set('tail', String(opts.tailLines));
    if (opts.sinceSeconds !== undefined) q.set('since', String(Math.floor(Date.now() / 1000) - opts.sinceSeconds));
    const res = await this.client.request({ method: 'GET', path: `${API}/containers/${id}/logs?${q}` });
    if (res.statusCode !== 200) throw new RuntimeError(await res.body.text(), res.statusCode);
    return info.Config?.Tty ? res.body : demultiplex(res.body);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
