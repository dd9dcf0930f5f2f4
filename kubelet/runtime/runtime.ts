// The container runtime as the kubelet sees it: one narrow interface; Docker is one
// implementation of it.
import type { Readable } from 'node:stream';

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
}

export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}
