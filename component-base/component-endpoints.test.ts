import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { serveEndpoint, type ComponentEndpoints } from './component-endpoints.js';

function call(endpoints: ComponentEndpoints, path: string): { code: number; body: string } {
  const out = { code: 0, body: '' };
  const res = { writeHead: (code: number) => ((out.code = code), res), end: (body?: string) => void (out.body = body ?? '') } as unknown as ServerResponse;
  serveEndpoint(endpoints, new URL(path, 'https://component'), res);
  return out;
}

describe('component health endpoints', () => {
  let leading = true;
  const endpoints: ComponentEndpoints = {
    checks: (e) => (e === 'livez' ? [] : [{ name: 'leaderElection', check: () => (leading ? undefined : 'lost it') }, { name: 'sync', check: () => undefined }]),
    metrics: () => ['a 1', 'b 2'],
  };

  it('says ok, lists the checks when asked or when one fails, and excludes what it is told to', () => {
    leading = true;
    expect(call(endpoints, '/healthz')).toEqual({ code: 200, body: 'ok' });
    expect(call(endpoints, '/livez?verbose')).toEqual({ code: 200, body: '[+]ping ok\nlivez check passed\n' });
    expect(call(endpoints, '/readyz?verbose=1&exclude=sync&exclude=nosuch').body).toBe('[+]leaderElection ok\n[+]sync excluded: ok\nreadyz check passed\n');
    leading = false;
    expect(call(endpoints, '/readyz')).toEqual({ code: 500, body: '[-]leaderElection failed: reason withheld\n[+]sync ok\nreadyz check failed\n' });
    expect(call(endpoints, '/readyz?exclude=leaderElection')).toEqual({ code: 200, body: 'ok' });
    expect(call(endpoints, '/healthz/leaderElection')).toEqual({ code: 500, body: 'internal server error: lost it\n' });
    expect(call(endpoints, '/healthz/sync')).toEqual({ code: 200, body: 'ok' });
  });

  it('serves metrics, and 404s every other path, prototype names included', () => {
    expect(call(endpoints, '/metrics')).toEqual({ code: 200, body: 'a 1\nb 2\n' });
    for (const p of ['/', '/healthz/__proto__', '/healthz/constructor', '/livez/ping/x', '/metricsx', '/__proto__']) expect(call(endpoints, p).code, p).toBe(404);
  });
});
