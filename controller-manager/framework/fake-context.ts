// A controller's world for unit tests, in the manner of Kubernetes' sample-controller: informer
// caches seeded by hand, a FakeClient that records every action, no apiserver. The test runs
// reconcile(key) and compares the actions.
import pino from 'pino';
import { clone } from '../../api/codec/values.js';
import type { KubeObject } from '../../api/types/meta.js';
import { EventRecorder } from '../../client/events.js';
import { FakeClient } from '../../client/fake-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { resource } from '../../client/rest.js';
import type { ControllerContext } from './controller.js';
import { INFORMER_KEEPING } from './informer-trims.js';

export interface FakeWorld {
  client: FakeClient;
  ctx: ControllerContext;
  /** Puts objects in the informer cache of `path` and on the fake server alike. */
  seed(path: string, ...objs: KubeObject[]): void;
}

export function fakeWorld(options: Partial<ControllerContext['options']> = {}): FakeWorld {
  const client = new FakeClient();
  const informers = new InformerFactory(client, undefined, INFORMER_KEEPING);
  const log = pino({ level: 'silent' });
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: new EventRecorder(client, { component: 'test' }, log),
    log,
    options: { nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5000, concurrentSyncs: {}, ...options },
  };
  return {
    client,
    ctx,
    seed: (path, ...objs) => {
      informers.for(path).replace(objs.map((o) => clone(o)));
      client.seed(resource(path), ...objs);
    },
  };
}
