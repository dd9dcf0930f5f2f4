// One real etcd for the whole run; each integration test gets its own key prefix and
// apiserver process on top of it.
import type { TestProject } from 'vitest/node';
import { startEtcd, type EtcdHandle } from './etcd.js';

let etcd: EtcdHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  etcd = await startEtcd('shared-etcd');
  project.provide('etcdEndpoint', etcd.endpoint);
}

export async function teardown(): Promise<void> {
  await etcd?.stop();
}
