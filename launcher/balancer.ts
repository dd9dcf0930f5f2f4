// The apiservers' load balancer, as the seeds build one: nginx's `stream` module (layer 4, TLS
// passes through to the apiservers), each apiserver an upstream with passive health checks (a
// server that fails `max_fails` times is left alone for `fail_timeout`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BalancerConfig {
  /** Where nginx keeps its config, pid, temp files and logs. */
  dir: string;
  listen: { host: string; port: number };
  upstreams: Array<{ host: string; port: number }>;
  /** Debian's dynamic stream module. */
  streamModule?: string;
}

export function nginxConfig(c: BalancerConfig): string {
  const servers = c.upstreams.map((u) => `    server ${u.host}:${u.port} max_fails=2 fail_timeout=5s;`).join('\n');
  return `# Written by the kubette launcher: an L4 balancer in front of the apiservers.
load_module ${c.streamModule ?? '/usr/lib/nginx/modules/ngx_stream_module.so'};
worker_processes 1;
pid ${join(c.dir, 'nginx.pid')};
error_log ${join(c.dir, 'error.log')} warn;
events { worker_connections 4096; }
stream {
  upstream apiservers {
${servers}
  }
  server {
    listen ${c.listen.host}:${c.listen.port};
    proxy_pass apiservers;
    proxy_connect_timeout 1s;
    # Watches and exec streams are long-lived: no idle cut-off shorter than the apiserver's own.
    proxy_timeout 1h;
  }
}
`;
}

/** Writes the config; returns nginx's arguments to run it in the foreground. */
export function prepareBalancer(c: BalancerConfig): string[] {
  mkdirSync(c.dir, { recursive: true });
  const file = join(c.dir, 'nginx.conf');
  writeFileSync(file, nginxConfig(c));
  return ['-p', c.dir, '-c', file, '-e', join(c.dir, 'error.log'), '-g', 'daemon off;'];
}
