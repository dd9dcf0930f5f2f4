import { kvContract } from './kv-contract.js';
import { MemoryKV } from './memory-kv.js';

let n = 0;
kvContract('MemoryKV', () => new MemoryKV(), () => `/t${++n}/`);
