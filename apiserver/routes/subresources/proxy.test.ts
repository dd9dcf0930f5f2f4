import { describe, expect, it } from 'vitest';
import { backendPath, isForwardedHeader } from './proxy.js';

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
