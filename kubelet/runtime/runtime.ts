// The container runtime as the kubelet sees it: one narrow interface; Docker is one
// implementation of it.
import type { Readable, Writable } from 'node:stream';

export interface ContainerSpec {
  name: string;
  image: string;
  entrypoint?: string[];
  command?: string[];
  env?: string[];
  workingDir?: string;
  labels: Record<string, string>;
  hostname?: string;
  /** "bridge", a network name, or "container:<id>" to join a sandbox's namespaces. */
  networkMode?: string;
  ipcMode?: string;
  pidMode?: string;
  /** "host-path:container-path[:ro]" */
  binds?: string[];
  /** container port "80/tcp" -> host port */
  portBindings?: Record<string, { hostIP?: string; hostPort: string }[]>;
  memoryBytes?: number;
  nanoCPUs?: number;
  cpuShares?: number;
  tty?: boolean;
  stdin?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** "name:ip" lines for /etc/hosts. */
  extraHosts?: string[];
}

export interface ContainerStatus {
  id: string;
  name: string;
  image: string;
  imageID: string;
  labels: Record<string, string>;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  oomKilled?: boolean;
  /** The address on its network, for a sandbox. */
  ip?: string;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
}

export interface ExecOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** A running exec: its streams, a resize handle, and its exit code once it ends. */
export interface ExecSession {
  /** Present when stdin was asked for; ending it closes the process's stdin. */
  stdin?: Writable;
  /** With a TTY, stdout carries both streams (a terminal has one). */
  stdout: Readable;
  stderr: Readable;
  resize(width: number, height: number): Promise<void>;
  /** Resolves with the exit code when the process has ended. */
  exitCode: Promise<number>;
  /** Ends the session from our side (the client went away). */
  close(): void;
}

export interface RuntimeEvent {
  id: string;
  /** Docker's action: create, start, die, oom, destroy, ... */
  action: string;
  labels: Record<string, string>;
}

export interface ContainerRuntime {
  version(): Promise<{ name: string; version: string; apiVersion: string }>;
  /** The image's id if it is present locally. */
  imageID(image: string): Promise<string | undefined>;
  pullImage(image: string): Promise<void>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Containers (running or not) carrying every given label. */
  listContainers(labels: Record<string, string>): Promise<ContainerStatus[]>;
  inspectContainer(id: string): Promise<ContainerStatus>;
  /** Stdout and stderr, demultiplexed, as one text stream. */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  /** Makes sure a bridge network of this name exists (several kubelets may race to create it). */
  ensureNetwork(name: string): Promise<void>;
  exec(id: string, command: string[], opts: ExecOptions): Promise<ExecSession>;
  /** Container lifecycle events for containers carrying every given label, until `signal` aborts. */
  events(labels: Record<string, string>, signal: AbortSignal): AsyncIterable<RuntimeEvent>;
  /** Local images, for the node's status. */
  listImages(): Promise<Array<{ names: string[]; sizeBytes: number }>>;
}

export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}
