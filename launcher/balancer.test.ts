// The balancer's nginx configuration: layer 4, every apiserver an upstream with passive health
// checks, long-lived streams allowed, and nginx kept in the foreground with its files in its dir.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nginxConfig, prepareBalancer } from './balancer.js';

describe('apiserver balancer', () => {
  it('proxies TCP to every apiserver with passive health checks', () => {
    const conf = nginxConfig({ dir: '/x', listen: { host: '0.0.0.0', port: 6444 }, upstreams: [{ host: '127.0.0.1', port: 6443 }, { host: '127.0.0.1', port: 7443 }] });
    expect(conf).toMatch(/stream \{[\s\S]*upstream apiservers \{/);
    expect(conf).toContain('server 127.0.0.1:6443 max_fails=2 fail_timeout=5s;');
    expect(conf).toContain('server 127.0.0.1:7443 max_fails=2 fail_timeout=5s;');
    expect(conf).toContain('listen 0.0.0.0:6444;');
    expect(conf).toContain('proxy_timeout 1h;');
    expect(conf).not.toContain('http {');
  });

  it('writes its config and runs nginx in the foreground with its own prefix', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'balancer-')), 'b');
    const args = prepareBalancer({ dir, listen: { host: '0.0.0.0', port: 6444 }, upstreams: [{ host: '127.0.0.1', port: 6443 }] });
    expect(args).toEqual(['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;']);
    expect(readFileSync(join(dir, 'nginx.conf'), 'utf8')).toContain(`pid ${join(dir, 'nginx.pid')};`);
  });
});
