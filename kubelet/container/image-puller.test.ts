import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { EventRecorder } from '../../client/events.js';
import { FakeClient } from '../../client/fake-client.js';
import { MemoryRuntime } from '../runtime/memory.js';
import { ImagePuller } from './image-puller.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p-uid' }, spec: { containers: [{ name: 'c', image: 'app:1', imagePullPolicy: 'Always' }] } };

describe('image puller events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = () => {
    const client = new FakeClient();
    const runtime = new MemoryRuntime();
    const puller = new ImagePuller(runtime, new EventRecorder(client, { component: 'kubelet', host: 'n1' }));
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
});
