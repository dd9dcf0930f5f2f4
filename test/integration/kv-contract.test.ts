// The KVStore contract on a real etcd: the same cases the in-memory store passes in the unit
// lane. A private etcd, because the contract compacts history.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { kvContract } from '../../apiserver/storage/kv-contract.js';
import { EtcdStore } from '../../apiserver/storage/etcd-store.js';
import { startEtcd, type EtcdHandle } from '../harness/etcd.js';

let etcd: EtcdHandle;
const stores: EtcdStore[] = [];
const run = randomBytes(4).toString('hex');
let n = 0;
beforeAll(async () => {
  etcd = await startEtcd('kv-contract');
});
afterAll(async () => {
  stores.forEach((s) => s.close());
  await etcd?.stop();
});
kvContract(
  'EtcdStore',
  () => {
    const s = new EtcdStore([etcd.endpoint]);
    stores.push(s);
    return s;
  },
  () => `/kv-contract-${run}/${++n}/`,
);
