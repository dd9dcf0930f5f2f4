import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClient } from './fake-client.js';
import { Informer } from './informer.js';
import { InformerFactory } from './informer-factory.js';

const settled = async (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);

describe('InformerFactory views', () => {
  it("share the factory's informers, and a view is synced once its own informers are, whatever the others'", async () => {
    const factory = new InformerFactory(new FakeClient());
    const signer = factory.view();
    const collector = factory.view();
    const csrs = signer.for('certificates.k8s.io/v1/certificatesigningrequests');
    expect(collector.for('certificates.k8s.io/v1/certificatesigningrequests')).toBe(csrs);
    collector.for('v1/pods');

    csrs.replace([], '5');
    expect(await settled(signer.synced)).toBe(true);
    expect(await settled(collector.synced)).toBe(false);
    expect(await settled(factory.synced)).toBe(false);

    factory.for('v1/pods').replace([], '6');
    expect(await settled(collector.synced)).toBe(true);
    expect(await settled(factory.synced)).toBe(true);
  });
});

describe('InformerFactory start order', () => {
  afterEach(() => vi.restoreAllMocks());

  it("runs a view's informers ahead of the others, then each of the rest once, and refuses an informer asked for after start", async () => {
    const ran: string[] = [];
    vi.spyOn(Informer.prototype, 'run').mockImplementation(async function (this: Informer) {
      ran.push(this.resource.plural);
    });
    const factory = new InformerFactory(new FakeClient());
    const approver = factory.view();
    approver.for('certificates.k8s.io/v1/certificatesigningrequests');
    const signal = new AbortController().signal;
    await factory.startView(approver, signal);
    expect(ran).toEqual(['certificatesigningrequests']);

    const collector = factory.view();
    collector.for('certificates.k8s.io/v1/certificatesigningrequests');
    collector.for('v1/pods');
    await factory.start(signal);
    expect(ran).toEqual(['certificatesigningrequests', 'pods']);
    expect(() => factory.for('v1/nodes')).toThrow(/asked for after start/);
  });

  it('tells a handler added to a filled informer of every object it holds, as added', () => {
    const factory = new InformerFactory(new FakeClient());
    const inf = factory.for('v1/configmaps');
    inf.replace([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', resourceVersion: '1' } }], '1');
    const added: string[] = [];
    inf.addHandler({ add: (o) => added.push(o.metadata.name!) });
    expect(added).toEqual(['a']);
  });
});
