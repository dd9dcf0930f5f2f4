import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { EventRecorder } from '../../client/events.js';
import { FakeClient } from '../../client/fake-client.js';
import type { Secret } from '../../api/types/core.js';
import { MemoryRuntime } from '../runtime/memory.js';
import { ImagePuller } from './image-puller.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p-uid' }, spec: { containers: [{ name: 'c', image: 'app:1', imagePullPolicy: 'Always' }] } };

describe('image puller events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (secrets: Secret[] = []) => {
    const client = new FakeClient();
    const runtime = new MemoryRuntime();
    const pullSecrets = async (p: Pod) => {
      const names = (p.spec.imagePullSecrets ?? []).map((s) => s.name!);
      return { secrets: secrets.filter((s) => names.includes(s.metadata.name!)), missing: names.filter((n) => !secrets.some((s) => s.metadata.name === n)) };
    };
    const puller = new ImagePuller(runtime, new EventRecorder(client, { component: 'kubelet', host: 'n1' }), pullSecrets);
    const events = async () => {
      await vi.advanceTimersByTimeAsync(0);
      return client.actions.filter((a) => a.resource === 'events' && a.verb === 'create').map((a) => a.body as { type: string; reason: string; message: string }).map((e) => [e.type, e.reason, e.message]);
    };
    return { runtime, puller, events };
  };

  it("says what it pulled, how long it took and the image's size, in Kubernetes' words", async () => {
    const { puller, events } = setup();
    expect(await puller.ensure(pod, pod.spec.containers[0]!, 'spec.containers{c}')).toEqual({ ok: true });
    expect(await events()).toEqual([
      ['Normal', 'Pulling', 'Pulling image "app:1"'],
      ['Normal', 'Pulled', expect.stringMatching(/^Successfully pulled image "app:1" in (\d+ms|\d+(\.\d+)?s) \(\1 including waiting\)\. Image size: 1048576 bytes\.$/)],
    ]);
  });

  it('a failed pull is ErrImagePull, and while backing off each try is BackOff and ImagePullBackOff', async () => {
    const { runtime, puller, events } = setup();
    runtime.unpullable.add('app:1');
    expect(await puller.ensure(pod, pod.spec.containers[0]!, 'spec.containers{c}')).toMatchObject({ ok: false, reason: 'ErrImagePull' });
    expect(await puller.ensure(pod, pod.spec.containers[0]!, 'spec.containers{c}')).toMatchObject({ ok: false, reason: 'ImagePullBackOff' });
    expect(await events()).toEqual([
      ['Normal', 'Pulling', 'Pulling image "app:1"'],
      ['Warning', 'Failed', 'Failed to pull image "app:1": pull access denied for app:1'],
      ['Warning', 'Failed', 'Error: ErrImagePull'],
      ['Normal', 'BackOff', 'Back-off pulling image "app:1"'],
      ['Warning', 'Failed', 'Error: ImagePullBackOff'],
    ]);
  });

  it("pulls a private image with the pod's pull secret, trying each matching credential, and says which secrets it could not read", async () => {
    const auths = { '127.0.0.1:5000': { username: 'stale', password: 'old' }, '127.0.0.1:5000/team': { username: 'robot', password: 's3cret' } };
    const regcred: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') } };
    const { runtime, puller, events } = setup([regcred]);
    const image = '127.0.0.1:5000/team/app:1';
    runtime.privateImages.set(image, { username: 'robot', password: 's3cret' });
    const c = { name: 'c', image, imagePullPolicy: 'Always' as const };
    const withSecrets = (names: string[]): Pod => ({ ...pod, spec: { containers: [c], imagePullSecrets: names.map((name) => ({ name })) } });
    expect(await puller.ensure(withSecrets(['gone', 'regcred']), c, 'spec.containers{c}')).toEqual({ ok: true });
    // The most specific key's credentials first: they work, so the host-wide ones are not tried.
    expect(runtime.calls.filter((x) => x.startsWith('pull'))).toEqual([`pull ${image} as robot`]);
    expect((await events())[0]).toEqual(['Warning', 'FailedToRetrieveImagePullSecret', 'Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.']);
    // Without the secret the pull is anonymous and refused.
    const anonymous = await puller.ensure({ ...withSecrets([]), metadata: { ...pod.metadata, uid: 'other' } }, c, 'spec.containers{c}');
    expect(anonymous).toMatchObject({ ok: false, reason: 'ErrImagePull', message: `Failed to pull image "${image}": Head "${image}": no basic auth credentials` });
  });
});
