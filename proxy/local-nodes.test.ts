import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types/core.js';
import { LocalNodes, trimNode } from './local-nodes.js';

const node = (name: string, ip?: string): Node => ({ metadata: { name, labels: { a: 'b' }, resourceVersion: '7' }, status: { addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [] } });

describe('local nodes', () => {
  it('are this proxy\'s node and every node at its InternalIP, and say when that changes', () => {
    const local = new LocalNodes('n1');
    expect([...local.names]).toEqual(['n1']);
    expect(local.observe(node('n2', '127.0.0.1'))).toBe(false); // n1's address not known yet
    expect(local.observe(node('n1', '127.0.0.1'))).toBe(true);
    expect([...local.names].sort()).toEqual(['n1', 'n2']);
    expect(local.observe(node('far', '192.0.2.7'))).toBe(false);
    expect(local.observe(node('n2', '127.0.0.1'))).toBe(false); // a heartbeat changes nothing
    expect(local.observe(node('n2', '192.0.2.8'))).toBe(true);
    expect([...local.names]).toEqual(['n1']);
    expect(local.observe(node('n1', '192.0.2.7'))).toBe(true); // n1 moved next to far
    expect([...local.names].sort()).toEqual(['far', 'n1']);
    expect(local.observe(node('far'), true)).toBe(true);
    expect([...local.names]).toEqual(['n1']);
  });

  it('keeps only a node\'s name and InternalIP', () => {
    expect(trimNode(node('n1', '10.0.0.1'))).toEqual({ metadata: { name: 'n1', resourceVersion: '7' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
  });
});
