import { describe, expect, it } from 'vitest';
import { nodeAddress, PodAddresses } from './addresses.js';

describe('simulated addresses', () => {
  it('gives each node its own loopback /24', () => {
    expect(nodeAddress(0)).toBe('127.64.0.1');
    expect(nodeAddress(257)).toBe('127.65.1.1');
    expect(() => nodeAddress(64 * 256)).toThrow(/out of range/);
  });

  it('assigns pod addresses lowest free first, stable per pod, reused after release', () => {
    const a = new PodAddresses(1);
    expect(a.assign('p1')).toBe('127.64.1.2');
    expect(a.assign('p2')).toBe('127.64.1.3');
    expect(a.assign('p1')).toBe('127.64.1.2');
    a.release('p1');
    expect(a.assign('p3')).toBe('127.64.1.2');
    expect(a.size).toBe(2);
  });

  it('adopts addresses pods already report, and never hands them out twice', () => {
    const a = new PodAddresses(0);
    a.adopt('old', '127.64.0.5');
    const given = ['a', 'b', 'c', 'd'].map((u) => a.assign(u));
    expect(given).toEqual(['127.64.0.2', '127.64.0.3', '127.64.0.4', '127.64.0.6']);
    a.adopt('stranger', '10.0.0.5'); // not this node's: ignored
    expect(a.size).toBe(5);
  });

  it('runs out after 253 pods', () => {
    const a = new PodAddresses(2);
    for (let i = 0; i < 253; i++) a.assign(`p${i}`);
    expect(() => a.assign('one-more')).toThrow(/no pod address left/);
  });
});
