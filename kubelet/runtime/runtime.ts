// The container runtime as the kubelet sees it, shaped like Kubernetes' CRI: a pod is a sandbox
// (the network, IPC and, optionally, PID namespaces its containers share) plus containers
// created inside it. Each implementation keeps its own vocabulary to itself: Docker's networks,
// "container:<id>" modes and binds live in docker/, and memory.ts runs nothing at all.
import type { Duplex, Readable, Writable } from 'node:stream';

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  /** Counts the pod's sandboxes: a new one replaces a dead one with attempt + 1. */
  attempt: number;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  hostIP?: string;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** The kubelet's labels, given back as they were by list and status. */
  labels: Record<string, string>;
  /** Use the node's network namespace instead of one of the pod's own. */
  hostNetwork: boolean;
  /** Use the node's IPC namespace (hostIPC). */
  hostIPC: boolean;
  /** Use the node's PID namespace (hostPID): every container of the pod sees the node's processes. */
  hostPID: boolean;
  /** Namespaced kernel parameters of the pod (its network and IPC namespaces). */
  sysctls: Record<string, string>;
  portMappings: PortMapping[];
  /** Absent: the node's own resolver configuration. */
  dns?: DNSConfig;
  hostAliases: Array<{ ip: string; hostnames: string[] }>;
  /** The RuntimeClass handler the pod runs with (absent: the runtime's default). */
  runtimeHandler?: string;
}

export type PodSandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: string;
  /** The pod's address; absent with the host's network. */
  ip?: string;
  labels: Record<string, string>;
}

export interface ContainerMetadata {
  name: string;
  /** Counts the container's runs in its pod: the restart count. */
  attempt: number;
}

export interface Mount {
  /** A path on the host, bind-mounted; empty when `volume` is given. */
  hostPath: string;
  /** A volume made by ensureMemoryVolume, mounted instead of a host path. */
  volume?: string;
  containerPath: string;
  readonly: boolean;
}

/** A runtime volume the kubelet made (a memory-backed emptyDir), with its labels. */
export interface RuntimeVolume {
  name: string;
  labels: Record<string, string>;
}

/** Linux resources as the kernel's cgroups take them. */
export interface ContainerResources {
  /** Relative CPU weight (1 CPU = 1024). */
  cpuShares?: number;
  /** CPU limit: `cpuQuota` microseconds per `cpuPeriod` microseconds. */
  cpuPeriod?: number;
  cpuQuota?: number;
  memoryLimitBytes?: number;
}

/** A seccomp profile: the runtime's default, none, or a JSON profile file on the node. */
export type SeccompProfile = { type: 'RuntimeDefault' } | { type: 'Unconfined' } | { type: 'Localhost'; path: string };

/** How a container's processes are confined (CRI's LinuxContainerSecurityContext). */
export interface ContainerSecurity {
  /** Every capability and device of the node, no seccomp or read-only /proc paths. */
  privileged: boolean;
  /** Capabilities added to and dropped from the runtime's default set ("NET_ADMIN", "ALL"). */
  capabilities: { add: string[]; drop: string[] };
  /** The uid to run as; absent: the image's user. */
  runAsUser?: number;
  /** The image's user by name, used with runAsGroup when no uid is given. */
  runAsUsername?: string;
  /** The primary gid; absent: the user's own group in the image. */
  runAsGroup?: number;
  /** Groups the processes also belong to (the pod's supplementalGroups and fsGroup). */
  supplementalGroups: number[];
  readonlyRootfs: boolean;
  /** no_new_privs: setuid binaries and file capabilities grant nothing (allowPrivilegeEscalation: false). */
  noNewPrivs: boolean;
  seccomp: SeccompProfile;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: string;
  /** Replaces the image's entrypoint. */
  command?: string[];
  /** Replaces the image's arguments. */
  args?: string[];
  envs: Array<{ key: string; value: string }>;
  workingDir?: string;
  labels: Record<string, string>;
  mounts: Mount[];
  resources: ContainerResources;
  tty: boolean;
  stdin: boolean;
  /** Close the container's stdin once the first attached client lets go of it (kubectl run -i). */
  stdinOnce: boolean;
  /** Share the sandbox's PID namespace (shareProcessNamespace), not only network and IPC. */
  sharePid: boolean;
  /** Join this container's PID namespace instead (an ephemeral container's target). */
  pidTarget?: string;
  security: ContainerSecurity;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  /** The image as the config named it. */
  image: string;
  /** The image's id in the runtime. */
  imageRef: string;
  labels: Record<string, string>;
  state: ContainerState;
  exitCode: number;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why it ended, as the runtime saw it: "OOMKilled", "Error", "Completed". */
  reason?: string;
  /** The runtime's explanation, e.g. why a created container failed to start. */
  message?: string;
}

/** A container's resource usage at one moment (CRI ContainerStats). */
export interface ContainerStats {
  /** When it was read, in milliseconds since the epoch. */
  timestamp: number;
  /** CPU time used since the container started, in nanoseconds of one core. */
  cpuUsageCoreNanoSeconds: number;
  /** Memory in use that the kernel cannot simply drop (usage minus inactive file cache). */
  memoryWorkingSetBytes: number;
  /** Processes (tasks) in the container, where the runtime counts them. */
  processCount?: number;
}

/** One network interface's counters since it came up. */
export interface NetworkInterfaceStats {
  name: string;
  rxBytes: number;
  rxErrors: number;
  txBytes: number;
  txErrors: number;
}

/** A sandbox's counters (CRI's PodSandboxStats): its network namespace's interfaces; none with the host's network. */
export interface PodSandboxStats {
  /** When it was read, in milliseconds since the epoch. */
  timestamp: number;
  interfaces: NetworkInterfaceStats[];
}

export interface ContainerFilter {
  podSandboxId?: string;
  /** Every one of these labels. */
  labels?: Record<string, string>;
}

export interface PodSandboxFilter {
  labels?: Record<string, string>;
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

/** A connection to a port inside a pod (CRI PortForward). */
export interface PortConnection {
  socket: Duplex;
  /** Resolves when the connection is over: with what went wrong, if it failed. */
  closed: Promise<string | undefined>;
}

export interface ContainerEvent {
  /** The container's (or sandbox's) id. */
  id: string;
  type: 'created' | 'started' | 'stopped' | 'deleted';
  /** The kubelet's labels of the container or sandbox. */
  labels: Record<string, string>;
}

export interface RuntimeService {
  /** The runtime's name (the scheme of containerIDs, e.g. "docker") and version. */
  version(): Promise<{ name: string; version: string; apiVersion: string }>;

  /** Creates and starts a sandbox; on failure nothing of it is left behind. */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops the sandbox and any container still running in it. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes the sandbox and every container in it; a missing one is no error. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]>;

  /** Creates a container in a running sandbox (whose config it needs to name and join it). */
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`; a stopped or missing one is no error. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** A missing one is no error. */
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  /** A running container's CPU and memory usage now. */
  containerStats(id: string): Promise<ContainerStats>;
  /** A ready sandbox's network counters now. */
  podSandboxStats(id: string): Promise<PodSandboxStats>;
  /** Bytes the container has written to its own filesystem (its writable layer). */
  containerDiskUsage(id: string): Promise<number>;

  /** Stdout and stderr, as one text stream. */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  exec(id: string, command: string[], opts: ExecOptions): Promise<ExecSession>;
  /** Attaches to a running container's own stdin, stdout and stderr (kubectl attach). */
  attach(id: string, opts: ExecOptions): Promise<ExecSession>;
  /** Connects to `port` on the pod's own loopback, inside its network namespace (kubectl port-forward). */
  portForward(podSandboxId: string, port: number): Promise<PortConnection>;
  /** Lifecycle events of containers and sandboxes carrying every given label, until `signal` aborts. */
  events(labels: Record<string, string>, signal: AbortSignal): AsyncIterable<ContainerEvent>;

  /**
   * A memory-backed (tmpfs) volume that every container of a pod mounting it shares, for an
   * emptyDir of medium Memory: created if absent, at most `sizeBytes` (the kernel's default
   * without), group `gid` with the setgid bit when given. CRI leaves volumes to the kubelet,
   * which mounts tmpfs itself; a kubelet beside Docker asks Docker, which can share one.
   */
  ensureMemoryVolume(name: string, opts: { sizeBytes?: number; gid?: number; labels: Record<string, string> }): Promise<void>;
  /** The volumes made by ensureMemoryVolume that carry every given label. */
  listVolumes(labels: Record<string, string>): Promise<RuntimeVolume[]>;
  /** A missing one is no error; one still mounted by a container is an error. */
  removeVolume(name: string): Promise<void>;
}

/** Credentials for a registry, as the Docker Engine's X-Registry-Auth header carries them (CRI's AuthConfig). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  email?: string;
  identitytoken?: string;
  registrytoken?: string;
  serveraddress: string;
}

export interface ImageService {
  /** The image's id if it is present locally. */
  imageID(image: string): Promise<string | undefined>;
  /** The user a present image runs as: a uid, or a name the image's /etc/passwd resolves; neither means root. */
  imageUser(image: string): Promise<{ uid?: number; username?: string }>;
  /** Pulls the image, with `auth` for its registry if given; answers its size as now present (CRI's ImageStatus after PullImage). */
  pullImage(image: string, auth?: RegistryAuth): Promise<{ sizeBytes: number }>;
  /** Local images, for the node's status. */
  listImages(): Promise<Array<{ names: string[]; sizeBytes: number }>>;
  /** Where the runtime keeps its images (CRI's ImageFsInfo mountpoint); undefined if it will not say. */
  imageFsPath(): Promise<string | undefined>;
}

export interface ContainerRuntime extends RuntimeService, ImageService {}

export class RuntimeError extends Error {
  constructor(
    message: string,
    /** 404 when the container, sandbox or image does not exist; the engine's code otherwise. */
    readonly statusCode: number,
  ) {
    super(message);
  }
}
