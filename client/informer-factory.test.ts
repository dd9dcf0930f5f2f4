import { describe, expect, it } from 'vitest';
import { FakeClient } from './fake-client.js';
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
