import { describe, expect, it } from 'vitest';
import { backendPath, isForwardedHeader, rewriteLocation, splitProxyPath } from './proxy.js';

describe('backendPath', () => {
  it.each([
    ['/api/v1/namespaces/ns/pods/web/proxy', 7, '/'],
    ['/api/v1/namespaces/ns/pods/web/proxy/', 7, '/'],
    ['/api/v1/namespaces/ns/pods/web:8080/proxy/a/b/?x=1&y=%2F', 7, '/a/b/?x=1&y=%2F'],
    // Escapes stay as the client wrote them: the backend decodes them, once.
    ['/api/v1/namespaces/ns/services/web/proxy/a%2Fb/%2e%2e/c', 7, '/a%2Fb/%2e%2e/c'],
    ['/api/v1/nodes/n1/proxy/metrics/cadvisor', 5, '/metrics/cadvisor'],
    // An escaped slash before `proxy` moves the segments; the first `proxy` still marks the start.
    ['/api/v1/namespaces/n%2Fs/pods/web/proxy/x', 7, '/x'],
  ])('%s', (url, at, want) => {
    expect(backendPath(url, at)).toBe(want);
  });
});

describe('isForwardedHeader', () => {
  it("keeps the caller's own headers and drops its credentials and connection headers", () => {
    expect(['accept', 'content-type', 'x-custom', 'cookie', 'user-agent'].filter(isForwardedHeader)).toEqual(['accept', 'content-type', 'x-custom', 'cookie', 'user-agent']);
    expect(['authorization', 'proxy-authorization', 'impersonate-user', 'impersonate-group', 'connection', 'upgrade', 'host', 'transfer-encoding'].filter(isForwardedHeader)).toEqual([]);
  });
});

describe('splitProxyPath', () => {
  it('gives the prefix up to /proxy as the client wrote it', () => {
    expect(splitProxyPath('/api/v1/namespaces/ns/services/https:web:443/proxy/ui/?a=1', 7)).toEqual({ prefix: '/api/v1/namespaces/ns/services/https:web:443/proxy', backend: '/ui/?a=1' });
    expect(splitProxyPath('/api/v1/nodes/n1/proxy', 5)).toEqual({ prefix: '/api/v1/nodes/n1/proxy', backend: '/' });
  });
});

describe('rewriteLocation', () => {
  const pod = { scheme: 'http' as const, host: '10.0.0.5', port: 8080 };
  const prefix = '/api/v1/namespaces/ns/pods/web:8080/proxy';
  it.each([
    ['/sub/', `${prefix}/sub/`],
    ['/login?next=%2F#top', `${prefix}/login?next=%2F#top`],
    ['http://10.0.0.5:8080/graph', `${prefix}/graph`],
    ['//10.0.0.5:8080/graph', `${prefix}/graph`],
  ])('%s, on the backend, leads back through the proxy', (location, want) => {
    expect(rewriteLocation(location, pod, prefix)).toBe(want);
    expect(rewriteLocation(location, pod, `${prefix}/`)).toBe(want);
  });

  it('leaves relative redirects and redirects elsewhere alone', () => {
    for (const location of ['graph', '../up', 'https://accounts.example.com/login', 'http://10.0.0.5:9090/other', '//evil.example/x']) expect(rewriteLocation(location, pod, prefix)).toBe(location);
  });

  it("takes a URL without a port as the scheme's default", () => {
    expect(rewriteLocation('https://10.0.0.5/x', { scheme: 'https', host: '10.0.0.5', port: 443 }, prefix)).toBe(`${prefix}/x`);
    expect(rewriteLocation('http://10.0.0.5/x', pod, prefix)).toBe('http://10.0.0.5/x');
  });
});
