// A container runtime that runs nothing: containers are records whose states change when the
// kubelet asks, and whose processes "exit" when a test says so. For pod-sync tests now, and
// later for simulated nodes. Same interface as the Docker runtime, so the kubelet cannot tell.
import { PassThrough, Readable } from 'node:stream';
import { RuntimeError, type ContainerRuntime, type ContainerSpec, type ContainerStatus, type ExecOptions, type ExecSession, type LogOptions, type RuntimeEvent } from './runtime.js';

interface Record_ {
  status: ContainerStatus;
  spec: ContainerSpec;
  logs: string[];
}

/** What a started container does: keep running, or exit at once with this code. */
export type Behaviour = (spec: ContainerSpec) => { exitCode: number } | undefined;

export interface ExecResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

export class MemoryRuntime implements ContainerRuntime {
  private readonly containers = new Map<string, Record_>();
  private readonly images = new Map<string, string>();
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private nextId = 0;
  private nextIP = 2;
  /** Every call, in order, e.g. "create app", "start 3", "stop 3", for tests to check order. */
  readonly calls: string[] = [];
  /** Decides what a container does when started (default: keeps running). */
  behaviour: Behaviour = () => undefined;
  /** Answers exec (probes, hooks, kubectl exec); default: exit 0. */
  onExec: (id: string, command: string[]) => ExecResult = () => ({ exitCode: 0 });
  /** Images whose pull fails (as from a registry that does not have them). */
  readonly unpullable = new Set<string>();

  constructor(images: string[] = []) {
    for (const i of images) this.addImage(i);
  }

  addImage(image: string): void {
    this.images.set(image, `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`);
  }

  private get(id: string): Record_ {
    const r = this.containers.get(id);
    if (!r) throw new RuntimeError(`No such container: ${id}`, 404);
    return r;
  }

  private emit(id: string, action: string): void {
    const r = this.containers.get(id);
    const event = { id, action, labels: r?.spec.labels ?? {} };
    for (const l of this.listeners) l(event);
  }

  /** Ends a running container as if its process exited with `exitCode`. */
  exit(id: string, exitCode: number): void {
    const r = this.get(id);
    if (r.status.state !== 'running') return;
    r.status = { ...r.status, state: 'exited', exitCode, finishedAt: new Date().toISOString() };
    this.emit(id, 'die');
  }

  /** Containers (any state) whose name label is `name`, newest first. */
  named(name: string): ContainerStatus[] {
    return [...this.containers.values()]
      .filter((r) => r.status.name === name || r.spec.labels['io.kubernetes.container.name'] === name)
      .map((r) => r.status)
      .reverse();
  }

  all(): ContainerStatus[] {
    return [...this.containers.values()].map((r) => r.status);
  }

  async version() {
    return { name: 'memory', version: '1.0.0', apiVersion: '1' };
  }

  async imageID(image: string): Promise<string | undefined> {
    return this.images.get(image);
  }

  async pullImage(image: string): Promise<void> {
    this.calls.push(`pull ${image}`);
    if (this.unpullable.has(image)) throw new RuntimeError(`pull access denied for ${image}`, 404);
    this.addImage(image);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    if (!this.images.has(spec.image)) throw new RuntimeError(`No such image: ${spec.image}`, 404);
    const id = `mem-${++this.nextId}`;
    const sandbox = !spec.networkMode?.startsWith('container:');
    this.containers.set(id, {
      spec,
      logs: [],
      status: {
        id,
        name: spec.name,
        image: spec.image,
        imageID: this.images.get(spec.image)!,
        labels: { ...spec.labels },
        state: 'created',
        exitCode: 0,
        ...(sandbox && spec.networkMode !== 'host' ? { ip: `10.88.0.${this.nextIP++}` } : {}),
      },
    });
    this.calls.push(`create ${spec.labels['io.kubernetes.container.name'] ?? spec.name}`);
    this.emit(id, 'create');
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const r = this.get(id);
    this.calls.push(`start ${r.spec.labels['io.kubernetes.container.name'] ?? r.spec.name}`);
    r.status = { ...r.status, state: 'running', startedAt: new Date().toISOString(), finishedAt: undefined };
    this.emit(id, 'start');
    const outcome = this.behaviour(r.spec);
    if (outcome) this.exit(id, outcome.exitCode);
  }

  async stopContainer(id: string, _timeoutSeconds: number): Promise<void> {
    const r = this.get(id);
    this.calls.push(`stop ${r.spec.labels['io.kubernetes.container.name'] ?? r.spec.name}`);
    if (r.status.state === 'running') this.exit(id, 137);
  }

  async removeContainer(id: string): Promise<void> {
    const r = this.get(id);
    this.calls.push(`remove ${r.spec.labels['io.kubernetes.container.name'] ?? r.spec.name}`);
    this.emit(id, 'destroy');
    this.containers.delete(id);
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerStatus[]> {
    return [...this.containers.values()].filter((r) => Object.entries(labels).every(([k, v]) => r.status.labels[k] === v)).map((r) => ({ ...r.status }));
  }

  async inspectContainer(id: string): Promise<ContainerStatus> {
    return { ...this.get(id).status };
  }

  async logs(id: string, _opts: LogOptions): Promise<Readable> {
    return Readable.from(this.get(id).logs.map((l) => `${l}\n`));
  }

  async ensureNetwork(_name: string): Promise<void> {}

  async exec(id: string, command: string[], _opts: ExecOptions): Promise<ExecSession> {
    this.get(id);
    const result = this.onExec(id, command);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end(result.stdout ?? '');
    stderr.end(result.stderr ?? '');
    return { stdout, stderr, resize: async () => undefined, exitCode: Promise.resolve(result.exitCode), close: () => undefined };
  }

  async *events(labels: Record<string, string>, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const queue: RuntimeEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: RuntimeEvent) => {
      if (!Object.entries(labels).every(([k, v]) => e.labels[k] === v)) return;
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

  async listImages(): Promise<Array<{ names: string[]; sizeBytes: number }>> {
    return [...this.images.keys()].map((name) => ({ names: [name], sizeBytes: 1024 * 1024 }));
  }
}
