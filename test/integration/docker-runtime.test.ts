// The kubelet's CRI-shaped runtime on the real Docker Engine, with images built from local parts
// by scripts/build-images.sh. Nothing is pulled from a registry.
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePodNetwork } from '../../launcher/pod-network.js';
import { DockerRuntime } from '../../kubelet/runtime/docker/runtime.js';
import type { ContainerConfig, PodSandboxConfig } from '../../kubelet/runtime/runtime.js';
import { waitFor } from '../harness/ports.js';

const runtime = new DockerRuntime({ podNetwork: 'kubette', pauseImage: 'kubette/pause:3.9' });
const run = randomBytes(4).toString('hex');
const labels = { 'kubette.test/run': run };

function sandbox(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'test', uid: `${name}-${run}`, attempt: 0 },
    hostname: name,
    labels: { ...labels, pod: name },
    hostNetwork: false,
    hostIPC: false,
    hostPID: false,
    sysctls: {},
    portMappings: [],
    hostAliases: [],
    ...extra,
  };
}

const NO_SECURITY: ContainerConfig['security'] = { privileged: false, capabilities: { add: [], drop: [] }, supplementalGroups: [], readonlyRootfs: false, noNewPrivs: false, seccomp: { type: 'RuntimeDefault' } };

function container(name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: 'busybox:1.36', envs: [], labels: { ...labels, container: name }, mounts: [], resources: {}, tty: false, stdin: false, stdinOnce: false, sharePid: false, security: NO_SECURITY, ...extra };
}

async function text(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

beforeAll(async () => {
  expect(await runtime.imageID('busybox:1.36'), 'run scripts/build-images.sh first').toBeTruthy();
  ensurePodNetwork('kubette');
});
afterAll(async () => {
  for (const s of await runtime.listPodSandboxes({ labels })) await runtime.removePodSandbox(s.id);
  await runtime.close();
});

describe('DockerRuntime', () => {
  it('runs a sandbox and a container that shares its network, and reads their state and logs', async () => {
    expect((await runtime.version()).name).toBe('docker');
    const config = sandbox('pod-a', { hostAliases: [{ ip: '10.1.2.3', hostnames: ['db.local'] }] });
    const sandboxId = await runtime.runPodSandbox(config);
    const status = await runtime.podSandboxStatus(sandboxId);
    expect(status).toMatchObject({ id: sandboxId, state: 'ready', metadata: config.metadata, labels: config.labels });
    expect(status.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const app = await runtime.createContainer(
      sandboxId,
      container('app', {
        command: ['sh', '-c'],
        args: ['echo err-line >&2; sleep 0.2; echo out-$GREETING; hostname; grep db.local /etc/hosts | tr -s " \\t" " "; exit 3'],
        envs: [{ key: 'GREETING', value: 'hi' }],
      }),
      config,
    );
    await runtime.startContainer(app);
    const exited = await waitFor('the app to exit', async () => {
      const s = await runtime.containerStatus(app);
      return s.state === 'exited' ? s : undefined;
    });
    expect(exited).toMatchObject({ podSandboxId: sandboxId, metadata: { name: 'app', attempt: 0 }, exitCode: 3, reason: 'Error', labels: { ...labels, container: 'app' } });
    expect(exited.finishedAt).toBeTruthy();
    expect(exited.imageRef).toBe(await runtime.imageID('busybox:1.36'));

    // stdout and stderr are separate pipes: their interleaving is not defined.
    expect((await text(await runtime.logs(app, {}))).split('\n').sort()).toEqual(['', '10.1.2.3 db.local', 'err-line', 'out-hi', 'pod-a']);
    expect(await text(await runtime.logs(app, { tailLines: 1 }))).toBe('10.1.2.3 db.local\n');

    expect((await runtime.listContainers({ labels: { ...labels, container: 'app' } })).map((c) => c.id)).toEqual([app]);
    expect((await runtime.listContainers({ podSandboxId: sandboxId })).map((c) => c.id)).toEqual([app]);
    expect((await runtime.listPodSandboxes({ labels: { ...labels, pod: 'pod-a' } })).map((s) => s.id)).toEqual([sandboxId]);
    // A sandbox is not a container, nor the other way round.
    await expect(runtime.containerStatus(sandboxId)).rejects.toMatchObject({ statusCode: 404 });
    await expect(runtime.podSandboxStatus(app)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('execs in a running container, with its exit code', async () => {
    const config = sandbox('pod-exec');
    const sandboxId = await runtime.runPodSandbox(config);
    const id = await runtime.createContainer(sandboxId, container('sleeper', { command: ['sleep', '300'] }), config);
    await runtime.startContainer(id);
    const session = await runtime.exec(id, ['sh', '-c', 'echo out; echo err >&2; exit 7'], { stdin: false, stdout: true, stderr: true, tty: false });
    const [out, err, code] = await Promise.all([text(session.stdout), text(session.stderr), session.exitCode]);
    expect({ out, err, code }).toEqual({ out: 'out\n', err: 'err\n', code: 7 });
  });

  it('stops a sandbox with its containers, then removes both, and reports events on the way', async () => {
    const config = sandbox('pod-stop');
    const events: Array<{ id: string; type: string }> = [];
    const watching = new AbortController();
    const seen = (async () => {
      for await (const ev of runtime.events({ ...labels, pod: 'pod-stop' }, watching.signal)) events.push({ id: ev.id, type: ev.type });
    })();
    // The stream is live once it reports something: run throwaway sandboxes until it does.
    let canary = 0;
    await waitFor('the event stream to be live', async () => {
      if (events.length) return true;
      const id = await runtime.runPodSandbox({ ...config, metadata: { ...config.metadata, uid: `canary-${run}`, attempt: canary++ } });
      await runtime.removePodSandbox(id);
      return undefined;
    });
    const sandboxId = await runtime.runPodSandbox(config);
    const id = await runtime.createContainer(sandboxId, container('sleeper', { command: ['sleep', '300'], labels: { ...labels, pod: 'pod-stop' } }), config);
    await runtime.startContainer(id);
    await runtime.stopPodSandbox(sandboxId);
    expect((await runtime.podSandboxStatus(sandboxId)).state).toBe('notready');
    expect((await runtime.containerStatus(id)).state).toBe('exited');
    await runtime.removePodSandbox(sandboxId);
    await runtime.removePodSandbox(sandboxId); // removing twice is not an error
    await expect(runtime.containerStatus(id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(runtime.podSandboxStatus(sandboxId)).rejects.toMatchObject({ statusCode: 404 });
    expect(await runtime.listContainers({ podSandboxId: sandboxId })).toEqual([]);
    const ours = (id: string) => events.filter((e) => e.id === id).map((e) => e.type);
    await waitFor('the deletions to be reported', async () => (ours(id).includes('deleted') && ours(sandboxId).includes('deleted')) || undefined);
    watching.abort();
    await seen;
    expect(ours(sandboxId)).toEqual(['created', 'started', 'stopped', 'deleted']);
    expect(ours(id)).toEqual(['created', 'started', 'stopped', 'deleted']);
  });
  it('makes its pod network once under concurrent starts, and heals twin networks of that name', async () => {
    const docker = new Pool('http://docker', { connect: { socketPath: '/var/run/docker.sock' } });
    const networkName = `kubette-twins-${run}`;
    const named = async () => {
      const res = await docker.request({ method: 'GET', path: `/v1.41/networks?filters=${encodeURIComponent(JSON.stringify({ name: [networkName] }))}` });
      return ((await res.body.json()) as Array<{ Id: string; Name: string }>).filter((n) => n.Name === networkName);
    };
    const startMany = async (n: number) => {
      const rt = new DockerRuntime({ podNetwork: networkName, pauseImage: 'kubette/pause:3.9' });
      const ids = await Promise.all(Array.from({ length: n }, (_, i) => rt.runPodSandbox(sandbox(`net-${n}-${i}`))));
      for (const id of ids) expect((await rt.podSandboxStatus(id)).ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      for (const id of ids) await rt.removePodSandbox(id);
      await rt.close();
    };
    try {
      // No network yet: five sandboxes at once make exactly one.
      await startMany(5);
      expect(await named()).toHaveLength(1);
      for (const n of await named()) await docker.request({ method: 'DELETE', path: `/v1.41/networks/${n.Id}` });
      // Twins made behind the kubelet's back (an engine that ignores CheckDuplicate): pods still start, one is left.
      for (let i = 0; i < 2; i++) {
        const res = await docker.request({ method: 'POST', path: '/v1.41/networks/create', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Name: networkName, CheckDuplicate: false }) });
        expect(res.statusCode).toBe(201);
        await res.body.dump();
      }
      expect(await named()).toHaveLength(2);
      await startMany(3);
      expect(await named()).toHaveLength(1);
    } finally {
      for (const n of await named()) await (await docker.request({ method: 'DELETE', path: `/v1.41/networks/${n.Id}` })).body.dump();
      await docker.close();
    }
  });
});
