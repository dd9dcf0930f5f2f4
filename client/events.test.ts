import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventRecorder } from './events.js';
import { FakeClient } from './fake-client.js';

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` } });
const created = (client: FakeClient) => client.actions.filter((a) => a.verb === 'create' && a.resource === 'events').length;

describe('EventRecorder write rate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes a burst at once, then qps a second, and drops what does not fit in the queue', async () => {
    const client = new FakeClient();
    const recorder = new EventRecorder(client, { component: 'test' }, undefined, { qps: 10, burst: 5 });
    for (let i = 0; i < 1200; i++) recorder.event(pod(`p${i}`), 'Normal', 'Scheduled', `assigned p${i}`);
    expect(recorder.dropped).toBe(200);
    await vi.advanceTimersByTimeAsync(0);
    expect(created(client)).toBe(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(created(client)).toBeGreaterThanOrEqual(14);
    expect(created(client)).toBeLessThanOrEqual(16);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(created(client)).toBe(1000);
  });

  it('writes a few events at once, with nothing waiting', async () => {
    const client = new FakeClient();
    const recorder = new EventRecorder(client, { component: 'test' });
    for (let i = 0; i < 20; i++) recorder.event(pod(`q${i}`), 'Normal', 'Pulled', 'image present');
    await vi.advanceTimersByTimeAsync(0);
    expect(created(client)).toBe(20);
  });

  it("gives each part of a process its own source and its own queue: one part's burst does not hold back another's events", async () => {
    const client = new FakeClient();
    const manager = new EventRecorder(client, { component: 'kube-controller-manager' }, undefined, { qps: 10, burst: 3 });
    const nodes = manager.forComponent('node-controller');
    const replicaSets = manager.forComponent('replicaset-controller');
    for (let i = 0; i < 50; i++) nodes.event(pod(`n${i}`), 'Normal', 'RegisteredNode', `registered n${i}`);
    replicaSets.event(pod('r'), 'Normal', 'SuccessfulCreate', 'Created pod: r');
    await vi.advanceTimersByTimeAsync(0);
    const bodies = () => client.actions.filter((a) => a.resource === 'events').map((a) => a.body as { source: { component: string }; reportingComponent: string });
    // The node controller's burst of three, and the ReplicaSet's event beside it at once.
    expect(bodies().map((b) => b.source.component).sort()).toEqual(['node-controller', 'node-controller', 'node-controller', 'replicaset-controller']);
    expect(bodies().find((b) => b.source.component === 'replicaset-controller')!.reportingComponent).toBe('replicaset-controller');
  });
});
