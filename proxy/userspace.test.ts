import { describe, expect, it } from 'vitest';
import { Balancer } from './userspace.js';

describe('userspace balancer', () => {
  it('takes endpoints in turn, or keeps a client on one while its affinity lasts', () => {
    const b = new Balancer();
    b.endpoints = [{ ip: '10.0.0.1', port: 80 }, { ip: '10.0.0.2', port: 80 }];
    expect([b.pick('c'), b.pick('c'), b.pick('c')].map((e) => e!.ip)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.1']);
    b.affinitySeconds = 10;
    const first = b.pick('client-a', 0)!;
    expect(b.pick('client-a', 5_000)).toEqual(first);
    expect(b.pick('client-a', 14_000)).toEqual(first); // renewed at 5 s
    b.endpoints = [{ ip: '10.0.0.9', port: 80 }];
    expect(b.pick('client-a', 15_000)!.ip).toBe('10.0.0.9'); // its endpoint went away
    b.endpoints = [];
    expect(b.pick('client-b')).toBeUndefined();
  });

  it('gives clients from other hosts only the local endpoints of an externalTrafficPolicy Local node port', () => {
    const b = new Balancer();
    b.endpoints = [{ ip: '10.0.0.1', port: 80 }, { ip: '10.0.0.2', port: 80 }];
    b.localEndpoints = [{ ip: '10.0.0.2', port: 80 }];
    expect([b.pick('192.0.2.1', 0, false), b.pick('192.0.2.1', 0, false)].map((e) => e!.ip)).toEqual(['10.0.0.2', '10.0.0.2']);
    expect(new Set([b.pick('127.0.0.1'), b.pick('127.0.0.1')].map((e) => e!.ip))).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    b.localEndpoints = [];
    expect(b.pick('192.0.2.1', 0, false)).toBeUndefined();
  });
});

