import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDuration, knownStringFormat, matchesStringFormat, requestURIError } from './string-formats.js';

describe('string formats (kube-openapi strfmt)', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['uuid', ['6f1e6bba-3b55-4e3e-9a0c-0a6b4e7a3f10', '6F1E6BBA3B554E3E9A0C0A6B4E7A3F10'], ['6f1e6bba-3b55-4e3e-9a0c', 'zzzzzzzz-3b55-4e3e-9a0c-0a6b4e7a3f10']],
    ['uuid4', ['6f1e6bba-3b55-4e3e-9a0c-0a6b4e7a3f10'], ['6f1e6bba-3b55-3e3e-9a0c-0a6b4e7a3f10']],
    ['date', ['2024-02-29', '0001-01-01'], ['2023-02-29', '2024-1-02', '2024-01-32', '']],
    ['date-time', ['2024-01-02T03:04:05Z', '2024-01-02t03:04:05.5-07:00'], ['2024-01-02T24:00:00Z', '2024-01-02T03:04:05', '2024-01-02', '']],
    ['duration', ['1h30m', '1.5s', '0', '3 days', '2 wk'], ['', 'soon', '1x']],
    ['byte', ['aGVsbG8=', 'aGk='], ['hello', 'aGk', '']],
    ['ipv4', ['10.0.0.1', '::ffff:10.0.0.1'], ['10.0.0', '010.0.0.1', '::1']],
    ['ipv6', ['::1', '2001:db8::0001', 'fe80::1:2'], ['10.0.0.1', 'fe80::1%eth0', ':::']],
    ['cidr', ['10.0.0.0/8', '2001:db8::/32'], ['10.0.0.0/33', '10.0.0.0']],
    ['mac', ['00:00:5e:00:53:01', '00-00-5E-00-53-01', '0000.5e00.5301', '02:00:5e:10:00:00:00:01'], ['00:00:5e:00:53', '00:00-5e:00:53:01']],
    ['hostname', ['example.com', 'a', 'xn--bcher-kva.example', 'bücher.example'], ['-a.com', 'a..com', 'example.c0m', `${'a'.repeat(64)}.com`]],
    ['email', ['a@example.com', 'Jane <jane.doe@example.com>'], ['a@', '@example.com', 'a b@example.com']],
    ['uri', ['https://example.com/x?y=1', '/a/b', 'mailto:x@y', '*'], ['example.com', 'http://a b/', 'http://host:port/', '/a%zz', ':x']],
    ['hexcolor', ['#fff', 'A0B1C2'], ['#ffff']],
    ['rgbcolor', ['rgb(0, 255,10)'], ['rgb(256,0,0)']],
    ['isbn10', ['0-321-75104-3'], ['0321751044']],
    ['isbn13', ['978-0321751041'], ['9780321751042']],
    ['creditcard', ['4111 1111 1111 1111'], ['4111 1111 1111 1112']],
    ['ssn', ['123-45-6789'], ['123-456-789']],
    ['bsonobjectid', ['507f1f77bcf86cd799439011'], ['507f1f77bcf86cd79943901']],
    ['password', ['', 'anything'], []],
  ];
  it.each(cases)('%s', (format, good, bad) => {
    expect(knownStringFormat(format)).toBe(true);
    for (const v of good) expect(matchesStringFormat(format, v), `${format} ${v}`).toBe(true);
    for (const v of bad) expect(matchesStringFormat(format, v), `${format} ${v}`).toBe(false);
  });

  it('ignores formats Kubernetes does not check', () => {
    expect(knownStringFormat('int32')).toBe(false);
    expect(knownStringFormat('k8s-short-name')).toBe(false); // Kubernetes 1.34
    expect(matchesStringFormat('whatever', 'x')).toBe(true);
  });

  it('says why a URI does not parse, in Go\'s words', () => {
    expect(requestURIError('example.com')).toBe('parse "example.com": invalid URI for request');
    expect(requestURIError('http://host:port/')).toBe('parse "http://host:port/": invalid port ":port" after host');
    expect(requestURIError('/a%zz')).toBe('parse "/a%zz": invalid URL escape "%zz"');
    expect(requestURIError(':x')).toBe('parse ":x": missing protocol scheme');
    expect(requestURIError('a\nb')).toBe('parse "a\\nb": net/url: invalid control character in URL');
  });

  it('stays linear on hostile input', () => {
    // A backtracking duration pattern would take exponential time on this.
    expect(isDuration(`${'1ms'.repeat(5000)}x`)).toBe(true); // strfmt's fallback finds "1ms" words
    expect(isDuration('1'.repeat(200_000))).toBe(false); // digits with no unit, once quadratic
    expect(isDuration(`${'1'.repeat(200_000)} days`)).toBe(true);
    expect(matchesStringFormat('email', `${'a.'.repeat(20000)}@`)).toBe(false);
    expect(matchesStringFormat('hostname', `${'a-'.repeat(20000)}.com`)).toBe(false);
  });

  it('never throws, whatever the string', () => {
    const formats = ['uuid', 'date', 'date-time', 'duration', 'byte', 'ipv4', 'ipv6', 'cidr', 'mac', 'hostname', 'email', 'uri', 'hexcolor', 'rgbcolor', 'isbn', 'creditcard', 'ssn', 'bsonobjectid'];
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.stringMatching(/^[0-9a-f:./%@[\]-]{0,40}$/));
    fc.assert(fc.property(fc.constantFrom(...formats), text, (format, value) => {
      expect(typeof matchesStringFormat(format, value)).toBe('boolean');
      const err = requestURIError(value);
      expect(err === undefined || err.startsWith('parse ')).toBe(true);
    }), { numRuns: 2000 });
  });
});

