// The kubelet's Docker runtime against the real Docker Engine, with images built from local
// parts by scripts/build-images.sh. Nothing is pulled from a registry.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../kubelet/runtime/docker.js';
import { waitFor } from '../harness/ports.js';

const runtime = new DockerRuntime();
const run = randomBytes(4).toString('hex');
const labels = { 'kubette.test/run': run };

beforeAll(async () => {
  expect(await runtime.imageID('busybox:1.36'), 'run scripts/build-images.sh first').toBeTruthy();
});
afterAll(async () => {
  for (const c of await runtime.listContainers(labels)) await runtime.removeContainer(c.id);
  await runtime.close();
});

describe('DockerRuntime', () => {
  it('runs a sandbox and a container that shares its network, and reads their state and logs', async () => {
    const version = await runtime.version();
    expect(version.name).toBe('docker');
    const sandbox = await runtime.createContainer({ name: `test-sandbox-${run}`, image: 'kubette/pause:3.9', labels: { ...labels, role: 'sandbox' }, hostname: 'pod-a' });
    await runtime.startContainer(sandbox);
    const sandboxState = await runtime.inspectContainer(sandbox);
    expect(sandboxState.state).toBe('running');
    expect(sandboxState.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const app = await runtime.createContainer({
      name: `test-app-${run}`,
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo err-line >&2; sleep 0.2; echo out-$GREETING; hostname; exit 3'],
      env: ['GREETING=hi'],
      labels: { ...labels, role: 'app' },
      networkMode: `container:${sandbox}`,
    });
    await runtime.startContainer(app);
    const exited = await waitFor('the app to exit', async () => {
      const s = await runtime.inspectContainer(app);
      return s.state === 'exited' ? s : undefined;
    });
    expect(exited.exitCode).toBe(3);
    expect(exited.finishedAt).toBeTruthy();
    expect(exited.imageID).toBe(await runtime.imageID('busybox:1.36'));

    const logs = await runtime.logs(app, {});
    let text = '';
    for await (const chunk of logs) text += chunk.toString();
    // stdout and stderr are separate pipes: their interleaving is not defined.
    expect(text.split('\n').sort()).toEqual(['', 'err-line', 'out-hi', 'pod-a']);

    const tail = await runtime.logs(app, { tailLines: 1 });
    let last = '';
    for await (const chunk of tail) last += chunk.toString();
    expect(last).toBe('pod-a\n');

    const listed = await runtime.listContainers({ ...labels, role: 'app' });
    expect(listed.map((c) => c.id)).toEqual([app]);
  });

  it('stops a container within its grace period and removes it', async () => {
    const id = await runtime.createContainer({ name: `test-stop-${run}`, image: 'kubette/pause:3.9', labels });
    await runtime.startContainer(id);
    const started = Date.now();
    await runtime.stopContainer(id, 10);
    expect(Date.now() - started).toBeLessThan(9000); // the pause container exits on SIGTERM, long before the SIGKILL
    expect((await runtime.inspectContainer(id)).state).toBe('exited');
    await runtime.removeContainer(id);
    await runtime.removeContainer(id); // removing twice is not an error
    expect(await runtime.listContainers({ ...labels, 'kubette.test/none': 'x' })).toEqual([]);
    await expect(runtime.inspectContainer(id)).rejects.toMatchObject({ statusCode: 404 });
  });
});
