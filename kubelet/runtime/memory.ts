// A container runtime that runs nothing: sandboxes and containers are records whose states
// change when the kubelet asks, and whose processes "exit" when a test says so. For pod-sync
// tests now, and later for simulated nodes. Same interface as the Docker runtime, so the kubelet
// cannot tell.
import { PassThrough, Readable } from 'node:stream';

/** Every image's size in this runtime. */
const IMAGE_SIZE = 1024 * 1024;
import {
  RuntimeError,
  type ContainerConfig,
  type ContainerEvent,
  type ContainerFilter,
  type ContainerRuntime,
  type ContainerStats,
  type ContainerStatus,
  type ExecOptions,
  type ExecSession,
  type LogOptions,
  type PortConnection,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type PodSandboxStats,
  type NetworkInterfaceStats,
  type RegistryAuth,
  type RuntimeVolume,
} from './runtime.js';

interface SandboxRecord {
  config: PodSandboxConfig;
  status: PodSandboxStatus;
}

interface ContainerRecord {
  config: ContainerConfig;
  status: ContainerStatus;
  logs: string[];
}

/** What a started container does: keep running, or exit at once with this code. */
export type Behaviour = (config: ContainerConfig) => { exitCode: number } | undefined;

export interface ExecResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

const matches = (labels: Record<string, string>, wanted: Record<string, string> = {}) => Object.entries(wanted).every(([k, v]) => labels[k] === v);

export class MemoryRuntime implements ContainerRuntime {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly images = new Map<string, string>();
  /** Memory-backed volumes by name: their options and labels. */
  readonly volumes = new Map<string, { sizeBytes?: number; gid?: number; labels: Record<string, string> }>();
  private readonly listeners = new Set<(e: ContainerEvent) => void>();
  private nextId = 0;
  private nextIP = 2;
  /** Every call, in order, e.g. "run sandbox", "create app", "start app", "stop app", for tests to check order. */
  readonly calls: string[] = [];
  /** Decides what a container does when started (default: keeps running). */
  behaviour: Behaviour = () => undefined;
  /** Answers exec (probes, hooks, kubectl exec); default: exit 0. */
  onExec: (id: string, command: string[]) => ExecResult = () => ({ exitCode: 0 });
  /** Images whose pull fails (as from a registry that does not have them). */
  readonly unpullable = new Set<string>();
  /** Images that pull only with these credentials. */
  readonly privateImages = new Map<string, { username: string; password: string }>();
  /** The user each image runs as (default: none given, so root). */
  readonly imageUsers = new Map<string, { uid?: number; username?: string }>();

  constructor(images: string[] = []) {
    for (const i of images) this.addImage(i);
  }

  addImage(image: string): void {
    this.images.set(image, `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`);
  }

  private container(id: string): ContainerRecord {
    const r = this.containers.get(id);
    if (!r) throw new RuntimeError(`no such container: ${id}`, 404);
    return r;
  }

  private sandbox(id: string): SandboxRecord {
    const r = this.sandboxes.get(id);
    if (!r) throw new RuntimeError(`no such pod sandbox: ${id}`, 404);
    return r;
  }

  private emit(id: string, type: ContainerEvent['type'], labels: Record<string, string>): void {
    for (const l of this.listeners) l({ id, type, labels });
  }

  /** Ends a running container as if its process exited with `exitCode`. */
  exit(id: string, exitCode: number): void {
    const r = this.container(id);
    if (r.status.state !== 'running') return;
    r.status = { ...r.status, state: 'exited', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date().toISOString() };
    this.emit(id, 'stopped', r.status.labels);
  }

  /** Containers (any state) of this name, newest first. */
  named(name: string): ContainerStatus[] {
    return [...this.containers.values()]
      .filter((r) => r.status.metadata.name === name)
      .map((r) => r.status)
      .reverse();
  }

  /** The config the newest container of this name was created with. */
  configOf(name: string): ContainerConfig | undefined {
    return [...this.containers.values()].reverse().find((r) => r.status.metadata.name === name)?.config;
  }

  /** Every sandbox and container there is. */
  all(): Array<PodSandboxStatus | ContainerStatus> {
    return [...[...this.sandboxes.values()].map((r) => r.status), ...[...this.containers.values()].map((r) => r.status)];
  }

  async version() {
    return { name: 'memory', version: '1.0.0', apiVersion: '1' };
  }

  async imageID(image: string): Promise<string | undefined> {
    return this.images.get(image);
  }

  /** What containerStats reports for each container (default: nothing used yet). */
  readonly usage = new Map<string, { cpuUsageCoreNanoSeconds: number; memoryWorkingSetBytes: number; processCount?: number }>();

  async containerStats(id: string): Promise<ContainerStats> {
    this.container(id);
    return { timestamp: Date.now(), cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0, ...this.usage.get(id) };
  }

  /** What podSandboxStats reports for each sandbox's network (default: eth0, nothing sent). */
  readonly networkUsage = new Map<string, NetworkInterfaceStats[]>();

  async podSandboxStats(id: string): Promise<PodSandboxStats> {
    this.sandbox(id);
    return { timestamp: Date.now(), interfaces: this.networkUsage.get(id) ?? [{ name: 'eth0', rxBytes: 0, rxErrors: 0, txBytes: 0, txErrors: 0 }] };
  }

  /** What containerDiskUsage reports for each container (default: nothing written). */
  readonly diskUsage = new Map<string, number>();

  async containerDiskUsage(id: string): Promise<number> {
    this.container(id);
    return this.diskUsage.get(id) ?? 0;
  }

  async imageUser(image: string): Promise<{ uid?: number; username?: string }> {
    if (!this.images.has(image)) throw new RuntimeError(`no such image: ${image}`, 404);
    return { ...this.imageUsers.get(image) };
  }

  async pullImage(image: string, auth?: RegistryAuth): Promise<{ sizeBytes: number }> {
    this.calls.push(auth ? `pull ${image} as ${auth.username ?? '?'}` : `pull ${image}`);
    if (this.unpullable.has(image)) throw new RuntimeError(`pull access denied for ${image}`, 404);
    const wanted = this.privateImages.get(image);
    if (wanted && (auth?.username !== wanted.username || auth?.password !== wanted.password)) {
      throw new RuntimeError(auth ? `Head "${image}": unauthorized: bad credentials for ${auth.username}` : `Head "${image}": no basic auth credentials`, 500);
    }
    this.addImage(image);
    return { sizeBytes: IMAGE_SIZE };
  }

  async imageFsPath(): Promise<string | undefined> {
    return undefined;
  }

  async listImages(): Promise<Array<{ names: string[]; sizeBytes: number }>> {
    return [...this.images.keys()].map((name) => ({ names: [name], sizeBytes: IMAGE_SIZE }));
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = `sandbox-${++this.nextId}`;
    this.sandboxes.set(id, {
      config,
      status: {
        id,
        metadata: { ...config.metadata },
        state: 'ready',
        createdAt: new Date().toISOString(),
        ...(config.hostNetwork ? {} : { ip: `10.88.0.${this.nextIP++}` }),
        labels: { ...config.labels },
      },
    });
    this.calls.push('run sandbox');
    this.emit(id, 'started', config.labels);
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandbox(id);
    for (const [cid, c] of this.containers) if (c.status.podSandboxId === id && c.status.state === 'running') await this.stopContainer(cid, 0);
    this.calls.push('stop sandbox');
    s.status = { ...s.status, state: 'notready' };
  }

  async removePodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const [cid, c] of this.containers) if (c.status.podSandboxId === id) await this.removeContainer(cid);
    this.calls.push('remove sandbox');
    this.sandboxes.delete(id);
    this.emit(id, 'deleted', s.status.labels);
  }

  async ensureMemoryVolume(name: string, opts: { sizeBytes?: number; gid?: number; labels: Record<string, string> }): Promise<void> {
    if (this.volumes.has(name)) return;
    this.calls.push(`create volume ${name}`);
    this.volumes.set(name, { ...opts, labels: { ...opts.labels } });
  }

  async listVolumes(labels: Record<string, string>): Promise<RuntimeVolume[]> {
    return [...this.volumes].filter(([, v]) => matches(v.labels, labels)).map(([name, v]) => ({ name, labels: { ...v.labels } }));
  }

  async removeVolume(name: string): Promise<void> {
    for (const c of this.containers.values()) if (c.config.mounts.some((m) => m.volume === name)) throw new RuntimeError(`remove ${name}: volume is in use`, 409);
    if (this.volumes.delete(name)) this.calls.push(`remove volume ${name}`);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return { ...this.sandbox(id).status };
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()].filter((r) => matches(r.status.labels, filter.labels)).map((r) => ({ ...r.status }));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    if (this.sandbox(podSandboxId).status.state !== 'ready') throw new RuntimeError(`pod sandbox ${podSandboxId} is not ready`, 409);
    if (!this.images.has(config.image)) throw new RuntimeError(`no such image: ${config.image}`, 404);
    const id = `container-${++this.nextId}`;
    this.containers.set(id, {
      config,
      logs: [],
      status: {
        id,
        podSandboxId,
        metadata: { ...config.metadata },
        image: config.image,
        imageRef: this.images.get(config.image)!,
        labels: { ...config.labels },
        state: 'created',
        exitCode: 0,
        createdAt: new Date().toISOString(),
      },
    });
    this.calls.push(`create ${config.metadata.name}`);
    this.emit(id, 'created', config.labels);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const r = this.container(id);
    this.calls.push(`start ${r.config.metadata.name}`);
    r.status = { ...r.status, state: 'running', startedAt: new Date().toISOString(), finishedAt: undefined };
    this.emit(id, 'started', r.status.labels);
    const outcome = this.behaviour(r.config);
    if (outcome) this.exit(id, outcome.exitCode);
  }

  async stopContainer(id: string, _timeoutSeconds: number): Promise<void> {
    const r = this.containers.get(id);
    if (!r) return;
    this.calls.push(`stop ${r.config.metadata.name}`);
    if (r.status.state === 'running') this.exit(id, 137);
  }

  async removeContainer(id: string): Promise<void> {
    const r = this.containers.get(id);
    if (!r) return;
    this.calls.push(`remove ${r.config.metadata.name}`);
    this.containers.delete(id);
    this.emit(id, 'deleted', r.status.labels);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .filter((r) => matches(r.status.labels, filter.labels) && (!filter.podSandboxId || r.status.podSandboxId === filter.podSandboxId))
      .map((r) => ({ ...r.status }));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return { ...this.container(id).status };
  }

  async logs(id: string, _opts: LogOptions): Promise<Readable> {
    return Readable.from(this.container(id).logs.map((l) => `${l}\n`));
  }

  async exec(id: string, command: string[], _opts: ExecOptions): Promise<ExecSession> {
    this.container(id);
    const result = this.onExec(id, command);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end(result.stdout ?? '');
    stderr.end(result.stderr ?? '');
    return { stdout, stderr, resize: async () => undefined, exitCode: Promise.resolve(result.exitCode), close: () => undefined };
  }

  async attach(id: string, opts: ExecOptions): Promise<ExecSession> {
    return this.exec(id, [], opts);
  }

  /** Nothing runs here, so nothing listens: every port refuses. */
  async portForward(podSandboxId: string, port: number): Promise<PortConnection> {
    this.sandbox(podSandboxId);
    const socket = new PassThrough();
    socket.end();
    return { socket, closed: Promise.resolve(`failed to connect to localhost:${port} inside the pod's network namespace: connection refused`) };
  }

  async *events(labels: Record<string, string>, signal: AbortSignal): AsyncIterable<ContainerEvent> {
    const queue: ContainerEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: ContainerEvent) => {
      if (!matches(e.labels, labels)) return;
      queue.push(e);
      wake?.();
    };
    this.listeners.add(listener);
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    try {
      while (!signal.aborted) {
        while (queue.length) yield queue.shift()!;
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
      }
    } finally {
      this.listeners.delete(listener);
    }
  }
}
