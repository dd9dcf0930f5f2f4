#!/usr/bin/env node
// kubette apiserver: flags -> build the app -> listen; on SIGTERM stop taking requests, finish
// the ones under way and close etcd.
import { defineFlags } from '../component-base/flags.js';
import { runComponent } from '../component-base/run.js';
import { build, defaultOptions } from './app.js';
import { defaultLimits } from './http/limits.js';

const flags = defineFlags({
  'etcd-servers': { type: 'list', default: ['http://127.0.0.1:2379'], arg: 'URL,...', help: 'etcd endpoints; requests go round-robin over the healthy ones.' },
  'etcd-prefix': { type: 'string', default: '/registry', arg: 'PREFIX', help: 'Prefix of every key in etcd.' },
  'etcd-compaction-interval': { type: 'duration', default: '5m0s', help: 'How often etcd history is compacted (0 disables).' },
  'insecure-bind-address': { type: 'ip', default: '127.0.0.1', arg: 'IP', help: 'Address of the plain-HTTP listener.' },
  'insecure-port': { type: 'port', default: 8080, arg: 'PORT', help: 'Port of the plain-HTTP listener.' },
  'advertise-address': { type: 'string', arg: 'HOST:PORT', help: 'host:port clients are told to use (default: the listen address).' },
  'default-watch-cache-size': { type: 'int', default: defaultOptions.watchCacheSize, min: 1, arg: 'N', help: 'Events kept per resource for watches to resume from.' },
  'watch-bookmark-interval': { type: 'duration', default: '1m0s', help: 'How often watches that allow bookmarks receive one.' },
  'default-not-ready-toleration-seconds': { type: 'int', default: 300, min: 0, arg: 'N', help: 'tolerationSeconds of the default not-ready toleration added to pods.' },
  'default-unreachable-toleration-seconds': { type: 'int', default: 300, min: 0, arg: 'N', help: 'tolerationSeconds of the default unreachable toleration added to pods.' },
  'service-cluster-ip-range': { type: 'cidr', default: '10.96.0.0/12', arg: 'CIDR', help: 'CIDR Services get their cluster IPs from (the first one is the kubernetes Service).' },
  'service-node-port-range': { type: 'string', default: '30000-32767', arg: 'LOW-HIGH', help: 'Ports NodePort and LoadBalancer Services get their node ports from.' },
  'request-timeout': { type: 'duration', default: '1m0s', help: 'Deadline for a request to arrive and for non-long-running handlers to answer (504 after).' },
  'max-requests-inflight': { type: 'int', default: defaultLimits.maxRequestsInflight, min: 1, arg: 'N', help: 'Reads served at once; more are refused with 429.' },
  'max-mutating-requests-inflight': { type: 'int', default: defaultLimits.maxMutatingRequestsInflight, min: 1, arg: 'N', help: 'Writes served at once; more are refused with 429.' },
});

runComponent({
  command: 'kubette-apiserver',
  component: 'apiserver',
  flags,
  async run({ flags: f, log, signal }) {
    const host = f['insecure-bind-address'];
    const port = f['insecure-port'];
    const server = build({
      etcdServers: f['etcd-servers'],
      etcdPrefix: f['etcd-prefix'].replace(/\/+$/, ''),
      etcdCompactionIntervalMs: f['etcd-compaction-interval'],
      watchCacheSize: f['default-watch-cache-size'],
      bookmarkIntervalMs: f['watch-bookmark-interval'],
      defaultNotReadyTolerationSeconds: f['default-not-ready-toleration-seconds'],
      defaultUnreachableTolerationSeconds: f['default-unreachable-toleration-seconds'],
      advertiseAddress: f['advertise-address'],
      serviceClusterIPRange: f['service-cluster-ip-range'],
      serviceNodePortRange: f['service-node-port-range'],
      listenPort: port,
      limits: {
        ...defaultLimits,
        requestTimeoutMs: f['request-timeout'],
        maxRequestsInflight: f['max-requests-inflight'],
        maxMutatingRequestsInflight: f['max-mutating-requests-inflight'],
      },
      logger: log,
    });
    await server.ready;
    if (signal.aborted) return server.close();
    await server.app.listen({ host, port });
    log.info({ address: `http://${host}:${port}` }, 'apiserver listening');
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    await server.close();
  },
});
