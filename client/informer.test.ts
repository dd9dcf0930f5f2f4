import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findResource } from '../api/resources.js';
import { StatusError } from '../api/status.js';
import type { ApiClient } from './api-client.js';
import type { KubeObject } from '../api/types/meta.js';
import { FakeClient } from './fake-client.js';
import { Informer, UNREACHABLE_RETRY_MS } from './informer.js';

const pods = findResource('', 'v1', 'pods')!;
// V8's own answer to "is this object in dictionary mode?", which deleting a property causes.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
const decoded = (): KubeObject =>
  JSON.parse(
    '{"metadata":{"name":"p","namespace":"ns","uid":"u1","managedFields":[{"manager":"m","operation":"Update"}],"resourceVersion":"7","__proto__":{"polluted":"yes"}},"spec":{"nodeName":"n1"}}',
  );

describe('Informer', () => {
  it('keeps objects without their managedFields, every other field as it came and in its order', () => {
    const informer = new Informer(new FakeClient(), pods);
    informer.replace([decoded()], '7');
    const held = informer.get('ns/p')!;
    expect(held.metadata.managedFields).toBeUndefined();
    expect(Object.keys(held.metadata)).toEqual(['name', 'namespace', 'uid', 'resourceVersion', '__proto__']);
    expect(held.spec).toEqual({ nodeName: 'n1' });
    // A plain object, not a dictionary: a third of the memory for each of the thousands held.
    expect(hasFastProperties(held.metadata)).toBe(true);
    // A decoded "__proto__" key stays an ordinary key: it neither sets a prototype nor pollutes Object.prototype.
    expect(Object.getPrototypeOf(held.metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(held.metadata, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps managedFields when asked to', () => {
    const informer = new Informer(new FakeClient(), pods, { keepManagedFields: true });
    informer.replace([decoded()], '7');
    expect(informer.get('ns/p')!.metadata.managedFields).toEqual([{ manager: 'm', operation: 'Update' }]);
  });
});

describe('Informer retries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A client whose lists fail with `failures` in turn, then succeed; its watches wait until stopped. */
  function failingClient(failures: Error[]) {
    let lists = 0;
    const client = {
      list: async () => {
        const failure = failures[lists++];
        if (failure) throw failure;
        return { metadata: { resourceVersion: '5' }, items: [] };
      },
      openWatch: (_r: unknown, _ns: unknown, _opts: unknown, signal: AbortSignal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true })),
    } as unknown as ApiClient;
    return { client, lists: () => lists };
  }

  it('asks again every 250 ms while the server does not answer, as when the cluster starts at once', async () => {
    vi.useFakeTimers();
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const { client, lists } = failingClient([refused(), refused(), refused()]);
    const informer = new Informer(client, pods);
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    let synced = false;
    void informer.synced.then(() => (synced = true));
    await vi.advanceTimersByTimeAsync(UNREACHABLE_RETRY_MS * 3);
    expect(lists()).toBe(4);
    expect(synced).toBe(true);
    stop.abort();
    await running;
  });

  it('backs off from a second when the server answers with an error', async () => {
    vi.useFakeTimers();
    const { client, lists } = failingClient([new StatusError(403, 'Forbidden', 'pods is forbidden')]);
    const informer = new Informer(client, pods);
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await vi.advanceTimersByTimeAsync(UNREACHABLE_RETRY_MS * 3);
    expect(lists()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(lists()).toBe(2);
    stop.abort();
    await running;
  });
});
