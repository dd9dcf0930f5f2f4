// One real etcd for the whole run; each integration test gets its own key prefix and
// apiserver process on top of it.
import type { TestProject } from 'vitest/node';
import { ensurePodNetwork } from '../../launcher/pod-network.js';
import { startEtcd, type EtcdHandle } from './etcd.js';

let etcd: EtcdHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Made once here, before test files start launchers in parallel (and race to create it).
  ensurePodNetwork('kubette');
  etcd = await startEtcd('shared-etcd');
  project.provide('etcdEndpoint', etcd.endpoint);
}

export async function teardown(): Promise<void> {
  await etcd?.stop();
}
