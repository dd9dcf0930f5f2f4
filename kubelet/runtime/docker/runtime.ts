// The kubelet's runtime interface on the Docker Engine, as dockershim did it: a sandbox is a
// "pause" container on the pod network holding the namespaces, and each container joins it with
// "container:<sandbox id>" network, IPC and (optionally) PID modes. Which containers are
// sandboxes, and which sandbox a container joined, is kept in labels of our own; a container's
// metadata (pod, namespace, uid, name, attempt) is kept in its Docker name.
import { connect } from 'node:net';
import { Duplex, type Readable } from 'node:stream';
import type {
  ContainerConfig,
  ContainerEvent,
  ContainerFilter,
  ContainerRuntime,
  ContainerState,
  ContainerStats,
  ContainerStatus,
  ExecOptions,
  ExecSession,
  LogOptions,
  PodSandboxConfig,
  PodSandboxStats,
  RegistryAuth,
  PortConnection,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeVolume,
} from '../runtime.js';
import { RuntimeError } from '../runtime.js';
import { DockerEngine, labelFilter, type DockerContainerInfo, type DockerCreateBody } from './engine.js';
import { containerName, parseName, sandboxName } from './names.js';
import { dockerSecurity } from './security.js';

/** "podsandbox" or "container": which of the two a Docker container is to us. */
const LABEL_TYPE = 'io.kubette.type';
/** The sandbox a container joined. */
const LABEL_SANDBOX = 'io.kubette.sandbox';

export interface DockerRuntimeOptions {
  /** The Docker Engine's unix socket. */
  socketPath?: string;
  /** The bridge network sandboxes join (created on first use). */
  podNetwork: string;
  /** The image of sandbox containers (pulled if missing). */
  pauseImage: string;
}

const unsetTime = (t: string | undefined) => (!t || t.startsWith('0001-01-01') ? undefined : t);

function containerState(status: string | undefined): ContainerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

function ipOf(c: DockerContainerInfo): string | undefined {
  const networks = Object.values(c.NetworkSettings?.Networks ?? {});
  return networks.map((n) => n.IPAddress).find(Boolean) || c.NetworkSettings?.IPAddress || undefined;
}

/** Our labels only: Docker's own and the type/sandbox bookkeeping are not the kubelet's. */
function kubeletLabels(c: DockerContainerInfo): Record<string, string> {
  const { [LABEL_TYPE]: _t, [LABEL_SANDBOX]: _s, ...rest } = c.Config?.Labels ?? {};
  return rest;
}

function toSandboxStatus(c: DockerContainerInfo): PodSandboxStatus | undefined {
  const meta = parseName(c.Name ?? '');
  if (!meta || meta.container !== 'POD') return undefined;
  return {
    id: c.Id,
    metadata: { name: meta.pod, namespace: meta.namespace, uid: meta.uid, attempt: meta.attempt },
    state: c.State?.Status === 'running' ? 'ready' : 'notready',
    createdAt: c.Created ?? '',
    ip: ipOf(c),
    labels: kubeletLabels(c),
  };
}

function toContainerStatus(c: DockerContainerInfo): ContainerStatus | undefined {
  const meta = parseName(c.Name ?? '');
  if (!meta) return undefined;
  const state = containerState(c.State?.Status);
  const exitCode = c.State?.ExitCode ?? 0;
  const oom = c.State?.OOMKilled ?? false;
  return {
    id: c.Id,
    podSandboxId: c.Config?.Labels?.[LABEL_SANDBOX] ?? '',
    metadata: { name: meta.container, attempt: meta.attempt },
    image: c.Config?.Image ?? '',
    imageRef: c.Image ?? '',
    labels: kubeletLabels(c),
    state,
    exitCode,
    createdAt: unsetTime(c.Created),
    startedAt: unsetTime(c.State?.StartedAt),
    // Docker keeps no time for a start that failed; creation came just before it. Without one the
    // restart back-off would have nothing to count from (containerd records the failure's time).
    finishedAt: unsetTime(c.State?.FinishedAt) ?? (state === 'created' && c.State?.Error ? unsetTime(c.Created) : undefined),
    reason: state !== 'exited' ? undefined : oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
    message: c.State?.Error || undefined,
  };
}

export class DockerRuntime implements ContainerRuntime {
  readonly engine: DockerEngine;
  /** The pod network's id, found or made once however many sandboxes start at the same time. */
  private podNetworkId?: Promise<string>;
  /** The daemon's runtimes, asked once (again after a handler it did not have). */
  private runtimeNames?: Promise<string[]>;

  constructor(private readonly options: DockerRuntimeOptions) {
    this.engine = new DockerEngine(options.socketPath);
  }

  async version() {
    return this.engine.version();
  }

  async imageID(image: string) {
    return this.engine.imageID(image);
  }

  async pullImage(image: string, auth?: RegistryAuth) {
    await this.engine.pullImage(image, auth);
    return { sizeBytes: await this.engine.imageSize(image) };
  }

  async imageUser(image: string): Promise<{ uid?: number; username?: string }> {
    // "user", "user:group", "uid" or "uid:gid": the group part does not say who runs.
    const user = (await this.engine.imageUser(image)).split(':')[0]!;
    if (!user) return {};
    return /^\d+$/.test(user) ? { uid: Number(user) } : { username: user };
  }

  async listImages() {
    return this.engine.listImages();
  }

  async imageFsPath(): Promise<string | undefined> {
    return this.engine.rootDir();
  }

  /**
   * The Docker runtime for a RuntimeClass handler: one the daemon is configured with, else the
   * sandbox is refused as containerd refuses it.
   */
  private async dockerRuntime(handler: string | undefined): Promise<string | undefined> {
    if (!handler) return undefined;
    this.runtimeNames ??= this.engine.runtimes();
    let known: string[];
    try {
      known = await this.runtimeNames;
    } catch (err) {
      this.runtimeNames = undefined;
      throw err;
    }
    if (!known.includes(handler)) {
      // Asked again next time: the daemon may be configured with it meanwhile.
      this.runtimeNames = undefined;
      throw new Error(`failed to get sandbox runtime: no runtime for "${handler}" is configured`);
    }
    return handler;
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const runtime = await this.dockerRuntime(config.runtimeHandler);
    let networkId: string | undefined;
    if (!config.hostNetwork) {
      this.podNetworkId ??= this.engine.ensureNetwork(this.options.podNetwork, { 'io.kubette.network': 'pods' });
      try {
        networkId = await this.podNetworkId;
      } catch (err) {
        this.podNetworkId = undefined;
        throw err;
      }
    }
    const pause = this.options.pauseImage;
    if (!(await this.engine.imageID(pause))) await this.engine.pullImage(pause);
    const portBindings: NonNullable<DockerCreateBody['HostConfig']['PortBindings']> = {};
    for (const p of config.hostNetwork ? [] : config.portMappings) {
      (portBindings[`${p.containerPort}/${p.protocol.toLowerCase()}`] ??= []).push({ HostIp: p.hostIP ?? '', HostPort: String(p.hostPort) });
    }
    const ports = Object.keys(portBindings);
    const id = await this.engine.createContainer(sandboxName(config.metadata), {
      Image: pause,
      Labels: { ...config.labels, [LABEL_TYPE]: 'podsandbox' },
      // A pod on the node's network has the node's hostname too (its UTS namespace), as CRI runtimes give it.
      Hostname: config.hostNetwork ? undefined : config.hostname,
      ExposedPorts: ports.length ? Object.fromEntries(ports.map((p) => [p, {}])) : undefined,
      HostConfig: {
        ...(runtime ? { Runtime: runtime } : {}),
        // By id: a name shared by twin networks would be ambiguous.
        NetworkMode: config.hostNetwork ? 'host' : networkId,
        UTSMode: config.hostNetwork ? 'host' : undefined,
        IpcMode: config.hostIPC ? 'host' : 'shareable',
        PidMode: config.hostPID ? 'host' : undefined,
        Sysctls: Object.keys(config.sysctls).length ? config.sysctls : undefined,
        PortBindings: ports.length ? portBindings : undefined,
        RestartPolicy: { Name: 'no' },
        Dns: config.dns?.servers,
        DnsSearch: config.dns?.searches,
        DnsOptions: config.dns?.options,
        ExtraHosts: config.hostAliases.flatMap((a) => a.hostnames.map((h) => `${h}:${a.ip}`)),
      },
    });
    try {
      await this.engine.startContainer(id);
    } catch (err) {
      await this.engine.removeContainer(id).catch(() => undefined);
      // The network may have been removed behind our back: look again next time.
      this.podNetworkId = undefined;
      throw err;
    }
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const inside = await this.engine.listContainerIds([`${LABEL_SANDBOX}=${id}`]);
    await Promise.all(inside.map((c) => this.engine.stopContainer(c, 2)));
    await this.engine.stopContainer(id, 2);
  }

  async removePodSandbox(id: string): Promise<void> {
    // Its containers first: the sandbox holds the namespaces they joined.
    for (const c of await this.engine.listContainerIds([`${LABEL_SANDBOX}=${id}`])) await this.engine.removeContainer(c);
    await this.engine.removeContainer(id);
  }

  async ensureMemoryVolume(name: string, opts: { sizeBytes?: number; gid?: number; labels: Record<string, string> }): Promise<void> {
    // Docker mounts it once and shares that mount with every container using it.
    const options = [...(opts.sizeBytes !== undefined ? [`size=${opts.sizeBytes}`] : []), ...(opts.gid !== undefined ? [`mode=2777`, `gid=${opts.gid}`] : ['mode=0777'])];
    await this.engine.createVolume(name, { type: 'tmpfs', device: 'tmpfs', o: options.join(',') }, { ...opts.labels, [LABEL_TYPE]: 'memory-volume' });
  }

  async listVolumes(labels: Record<string, string>): Promise<RuntimeVolume[]> {
    const list = await this.engine.listVolumes([`${LABEL_TYPE}=memory-volume`, ...labelFilter(labels)]);
    return list.map((v) => {
      const { [LABEL_TYPE]: _t, ...rest } = v.Labels ?? {};
      return { name: v.Name, labels: rest };
    });
  }

  async removeVolume(name: string): Promise<void> {
    await this.engine.removeVolume(name);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const info = await this.engine.inspectContainer(id);
    const status = info.Config?.Labels?.[LABEL_TYPE] === 'podsandbox' ? toSandboxStatus(info) : undefined;
    if (!status) throw new RuntimeError(`no such pod sandbox: ${id}`, 404);
    return status;
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    const ids = await this.engine.listContainerIds([`${LABEL_TYPE}=podsandbox`, ...labelFilter(filter.labels ?? {})]);
    return (await this.engine.inspectAll(ids)).map(toSandboxStatus).filter((s): s is PodSandboxStatus => !!s);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const shared = `container:${podSandboxId}`;
    const r = config.resources;
    const security = await dockerSecurity(config.security);
    // A namespace shared with the host is joined directly: Docker lets no one join a container's
    // IPC namespace when that is the host's.
    const pidMode = sandboxConfig.hostPID ? 'host' : config.pidTarget ? `container:${config.pidTarget}` : config.sharePid ? shared : undefined;
    // The sandbox's runtime handler runs its containers too.
    const runtime = await this.dockerRuntime(sandboxConfig.runtimeHandler);
    return this.engine.createContainer(containerName(sandboxConfig.metadata, config.metadata), {
      Image: config.image,
      Entrypoint: config.command,
      Cmd: config.args,
      Env: config.envs.map((e) => `${e.key}=${e.value}`),
      WorkingDir: config.workingDir,
      Labels: { ...config.labels, [LABEL_TYPE]: 'container', [LABEL_SANDBOX]: podSandboxId },
      Tty: config.tty,
      OpenStdin: config.stdin,
      StdinOnce: config.stdinOnce,
      User: security.User,
      HostConfig: {
        ...security.HostConfig,
        ...(runtime ? { Runtime: runtime } : {}),
        NetworkMode: shared,
        UTSMode: sandboxConfig.hostNetwork ? 'host' : undefined,
        IpcMode: sandboxConfig.hostIPC ? 'host' : shared,
        PidMode: pidMode,
        // A host path, or a volume's name (Docker tells them apart by the leading slash).
        Binds: config.mounts.map((m) => `${m.volume ?? m.hostPath}:${m.containerPath}${m.readonly ? ':ro' : ''}`),
        Memory: r.memoryLimitBytes,
        // Docker's one-number form of quota/period.
        NanoCpus: r.cpuQuota && r.cpuPeriod ? Math.round((r.cpuQuota * 1e9) / r.cpuPeriod) : undefined,
        CpuShares: r.cpuShares,
        RestartPolicy: { Name: 'no' },
      },
    });
  }

  async startContainer(id: string): Promise<void> {
    await this.engine.startContainer(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.engine.stopContainer(id, timeoutSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    await this.engine.removeContainer(id);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const labels = [`${LABEL_TYPE}=container`, ...labelFilter(filter.labels ?? {})];
    if (filter.podSandboxId) labels.push(`${LABEL_SANDBOX}=${filter.podSandboxId}`);
    const ids = await this.engine.listContainerIds(labels);
    return (await this.engine.inspectAll(ids)).map(toContainerStatus).filter((c): c is ContainerStatus => !!c);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const info = await this.engine.inspectContainer(id);
    const status = info.Config?.Labels?.[LABEL_TYPE] === 'container' ? toContainerStatus(info) : undefined;
    if (!status) throw new RuntimeError(`no such container: ${id}`, 404);
    return status;
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const s = await this.engine.stats(id);
    const mem = s.memory_stats ?? {};
    // The working set leaves out file cache the kernel can reclaim: cgroup v2 names it
    // inactive_file, v1 total_inactive_file.
    const inactive = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? 0;
    const read = s.read ? Date.parse(s.read) : NaN;
    return {
      timestamp: Number.isNaN(read) || read <= 0 ? Date.now() : read,
      cpuUsageCoreNanoSeconds: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
      memoryWorkingSetBytes: Math.max(0, (mem.usage ?? 0) - inactive),
      ...(typeof s.pids_stats?.current === 'number' ? { processCount: s.pids_stats.current } : {}),
    };
  }

  async podSandboxStats(id: string): Promise<PodSandboxStats> {
    // The sandbox (pause) container holds the pod's network namespace: its counters are the pod's.
    const s = await this.engine.stats(id);
    const read = s.read ? Date.parse(s.read) : NaN;
    return {
      timestamp: Number.isNaN(read) || read <= 0 ? Date.now() : read,
      interfaces: Object.entries(s.networks ?? {})
        .map(([name, n]) => ({ name, rxBytes: n.rx_bytes ?? 0, rxErrors: n.rx_errors ?? 0, txBytes: n.tx_bytes ?? 0, txErrors: n.tx_errors ?? 0 }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async containerDiskUsage(id: string): Promise<number> {
    return this.engine.containerSize(id);
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const info = await this.engine.inspectContainer(id);
    return this.engine.logs(id, opts, info.Config?.Tty ?? false);
  }

  async exec(id: string, command: string[], opts: ExecOptions): Promise<ExecSession> {
    return this.engine.exec(id, command, opts);
  }

  async attach(id: string, opts: ExecOptions): Promise<ExecSession> {
    return this.engine.attach(id, opts);
  }

  /**
   * A connection to the pod's own localhost:<port>, made inside its network namespace as
   * Kubernetes does it: `nc` run in the sandbox (the pause image has busybox). A sandbox image
   * without it (the upstream pause image) gets a connection to the pod's IP instead, which
   * reaches every server not bound to loopback only.
   */
  async portForward(podSandboxId: string, port: number): Promise<PortConnection> {
    if (await this.sandboxHasNc(podSandboxId)) {
      const session = await this.engine.exec(podSandboxId, ['nc', '127.0.0.1', String(port)], { stdin: true, stdout: true, stderr: true, tty: false });
      let errors = '';
      session.stderr.on('data', (c: Buffer) => (errors += c.toString()));
      const socket = Duplex.from({ readable: session.stdout, writable: session.stdin! });
      const closed = session.exitCode.then(
        (code) => (code === 0 ? undefined : `failed to connect to localhost:${port} inside the pod's network namespace: ${errors.replace(/^nc: /, '').trim() || `exit code ${code}`}`),
        (err: Error) => err.message,
      );
      socket.on('close', () => session.close());
      return { socket, closed };
    }
    const ip = (await this.podSandboxStatus(podSandboxId)).ip;
    if (!ip) throw new RuntimeError(`pod sandbox ${podSandboxId} has no IP address`, 400);
    const socket = connect({ host: ip, port, allowHalfOpen: true });
    const closed = new Promise<string | undefined>((resolve) => {
      let failure: string | undefined;
      socket.once('error', (err) => (failure = `dial tcp4 ${ip}:${port}: ${err.message}`));
      socket.once('close', () => resolve(failure));
    });
    return { socket, closed };
  }

  private readonly hasNc = new Map<string, Promise<boolean>>();

  private sandboxHasNc(id: string): Promise<boolean> {
    let known = this.hasNc.get(id);
    if (!known) {
      known = this.engine
        .exec(id, ['nc', '--help'], { stdin: false, stdout: true, stderr: true, tty: false })
        .then(async (s) => {
          s.stdout.resume();
          s.stderr.resume();
          // busybox nc answers --help with its usage and exit code 1; a missing binary is 126 or 127.
          return (await s.exitCode) < 126;
        })
        .catch(() => false);
      this.hasNc.set(id, known);
      if (this.hasNc.size > 1000) this.hasNc.delete(this.hasNc.keys().next().value!);
    }
    return known;
  }

  async *events(labels: Record<string, string>, signal: AbortSignal): AsyncIterable<ContainerEvent> {
    const types: Record<string, ContainerEvent['type']> = { create: 'created', start: 'started', die: 'stopped', destroy: 'deleted' };
    for await (const ev of this.engine.events(labelFilter(labels), signal)) {
      const type = types[ev.action];
      if (!type) continue;
      const { [LABEL_TYPE]: _t, [LABEL_SANDBOX]: _s, name: _n, image: _i, ...rest } = ev.attributes;
      yield { id: ev.id, type, labels: rest };
    }
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
