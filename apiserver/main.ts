#!/usr/bin/env node
// kubette apiserver: parses flags, builds the app, listens, and shuts down cleanly on SIGTERM.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseGoDuration } from '../api/go-duration.js';
import { build, defaultOptions } from './app.js';
import { defaultLimits } from './http/limits.js';

const FLAGS = {
  'etcd-servers': { type: 'string', default: 'http://127.0.0.1:2379', help: 'Comma-separated etcd endpoints.' },
  'etcd-prefix': { type: 'string', default: '/registry', help: 'Prefix of every key in etcd.' },
  'etcd-compaction-interval': { type: 'string', default: '5m0s', help: 'How often etcd history is compacted (0 disables).' },
  'insecure-bind-address': { type: 'string', default: '127.0.0.1', help: 'Address of the plain-HTTP listener.' },
  'insecure-port': { type: 'string', default: '8080', help: 'Port of the plain-HTTP listener.' },
  'advertise-address': { type: 'string', help: 'host:port clients are told to use (default: the listen address).' },
  'default-watch-cache-size': { type: 'string', default: String(defaultOptions.watchCacheSize), help: 'Events kept per resource for watches to resume from.' },
  'watch-bookmark-interval': { type: 'string', default: '1m0s', help: 'How often watches that allow bookmarks receive one.' },
  'default-not-ready-toleration-seconds': { type: 'string', default: '300', help: 'tolerationSeconds of the default not-ready toleration added to pods.' },
  'default-unreachable-toleration-seconds': { type: 'string', default: '300', help: 'tolerationSeconds of the default unreachable toleration added to pods.' },
  'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12', help: 'CIDR Services get their cluster IPs from (the first one is the kubernetes Service).' },
  'service-node-port-range': { type: 'string', default: '30000-32767', help: 'Ports NodePort and LoadBalancer Services get their node ports from.' },
  'request-timeout': { type: 'string', default: '1m0s', help: 'Deadline for a request to arrive and for non-long-running handlers to answer (504 after).' },
  'max-requests-inflight': { type: 'string', default: String(defaultLimits.maxRequestsInflight), help: 'Reads served at once; more are refused with 429.' },
  'max-mutating-requests-inflight': { type: 'string', default: String(defaultLimits.maxMutatingRequestsInflight), help: 'Writes served at once; more are refused with 429.' },
  'log-level': { type: 'string', default: 'info', help: 'trace, debug, info, warn or error.' },
  help: { type: 'boolean', default: false, help: 'Print the flags and exit.' },
} as const;

function usage(): string {
  const lines = ['Usage: kubette-apiserver [flags]', '', 'Flags:'];
  for (const [name, f] of Object.entries(FLAGS)) {
    const def = 'default' in f && f.type === 'string' ? ` (default "${f.default}")` : '';
    lines.push(`  --${name}${f.type === 'string' ? ' string' : ''}\n        ${f.help}${def}`);
  }
  return lines.join('\n');
}

function intFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`--${name}: "${value}" is not a non-negative integer`);
  return Number(value);
}

async function main(): Promise<void> {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([k, v]) => [k, { type: v.type, default: 'default' in v ? v.default : undefined }]));
  const { values } = parseArgs({ options: options as never, allowPositionals: false, strict: true });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    console.log(usage());
    return;
  }
  const log = pino({ level: String(v['log-level']), base: { component: 'apiserver' } });
  const host = String(v['insecure-bind-address']);
  const port = intFlag('insecure-port', String(v['insecure-port']));
  const server = build({
    etcdServers: String(v['etcd-servers']).split(',').map((s) => s.trim()).filter(Boolean),
    etcdPrefix: String(v['etcd-prefix']).replace(/\/+$/, ''),
    etcdCompactionIntervalMs: parseGoDuration(String(v['etcd-compaction-interval'])),
    watchCacheSize: intFlag('default-watch-cache-size', String(v['default-watch-cache-size'])),
    bookmarkIntervalMs: parseGoDuration(String(v['watch-bookmark-interval'])),
    defaultNotReadyTolerationSeconds: intFlag('default-not-ready-toleration-seconds', String(v['default-not-ready-toleration-seconds'])),
    defaultUnreachableTolerationSeconds: intFlag('default-unreachable-toleration-seconds', String(v['default-unreachable-toleration-seconds'])),
    advertiseAddress: v['advertise-address'] ? String(v['advertise-address']) : undefined,
    serviceClusterIPRange: String(v['service-cluster-ip-range']),
    serviceNodePortRange: String(v['service-node-port-range']),
    listenPort: port,
    limits: {
      ...defaultLimits,
      requestTimeoutMs: parseGoDuration(String(v['request-timeout'])),
      maxRequestsInflight: intFlag('max-requests-inflight', String(v['max-requests-inflight'])),
      maxMutatingRequestsInflight: intFlag('max-mutating-requests-inflight', String(v['max-mutating-requests-inflight'])),
    },
    logger: log,
  });
  await server.ready;
  await server.app.listen({ host, port });
  log.info({ address: `http://${host}:${port}` }, 'apiserver listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(`apiserver: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
