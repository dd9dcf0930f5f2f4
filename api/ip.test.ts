import { describe, expect, it } from 'vitest';
import { isProxyableIP } from './ip.js';

describe('isProxyableIP', () => {
  it.each(['10.0.0.7', '172.18.0.3', '192.168.1.1', '8.8.8.8', '224.0.1.1', 'fd00::1', '2001:db8::1', '::ffff:10.1.2.3'])('relays to %s', (ip) => {
    expect(isProxyableIP(ip)).toBe(true);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback, anywhere in 127/8', '127.255.0.9'],
    ['IPv6 loopback', '::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['IPv6 link-local', 'fe80::1'],
    ['link-local multicast', '224.0.0.251'],
    ['IPv6 interface-local multicast', 'ff01::1'],
    ['IPv6 link-local multicast', 'ff02::1'],
    ['nothing', ''],
    ['a host name', 'localhost'],
    ['a malformed address', '10.0.0.256'],
  ])('refuses %s (%s)', (_what, ip) => {
    expect(isProxyableIP(ip)).toBe(false);
  });
});
