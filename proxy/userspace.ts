// The userspace proxy mode: the proxy itself carries the traffic. Each service port gets a
// listener (TCP server or UDP socket) on a free local port, which iptables REDIRECTs the
// cluster IP to; node ports are listeners on the node port itself. Connections go to the
// ready endpoints in turn (or stick to one per client IP with ClientIP affinity), trying the
// next endpoint when one refuses. The Local traffic policies narrow the endpoints: a cluster
// IP's to this host's (internal), a node port's to this host's for clients from elsewhere
// (external; the client's address is not kept: the proxy itself connects).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { renderRedirectRules } from './iptables-rules.js';
import { IptablesBackend, type ProxyBackend } from './iptables.js';
import type { Endpoint, ServicePort } from './service-map.js';

const UDP_IDLE_MS = 60_000;

/** Picks endpoints round-robin, or by client IP while an affinity lasts. */
export class Balancer {
  private next = 0;
  private readonly affinity = new Map<string, { ep: Endpoint; until: number }>();
  endpoints: Endpoint[] = [];
  affinitySeconds?: number;
  /** Set for externalTrafficPolicy Local: what clients from other hosts may reach. */
  localEndpoints?: Endpoint[];

  pick(client: string, now = Date.now(), fromThisHost = isThisHost(client)): Endpoint | undefined {
    const endpoints = this.localEndpoints && !fromThisHost ? this.localEndpoints : this.endpoints;
    if (!endpoints.length) return undefined;
    if (this.affinitySeconds) {
      const held = this.affinity.get(client);
      if (held && held.until > now && endpoints.some((e) => e.ip === held.ep.ip && e.port === held.ep.port)) {
        held.until = now + this.affinitySeconds * 1000;
        return held.ep;
      }
    }
    const ep = endpoints[this.next++ % endpoints.length]!;
    if (this.affinitySeconds) this.affinity.set(client, { ep, until: now + this.affinitySeconds * 1000 });
    return ep;
  }
}

let hostAddresses: { at: number; set: Set<string> } | undefined;

/** A client on this host: loopback or one of its interfaces' addresses (looked up at most every 10 s). */
export function isThisHost(address: string): boolean {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (ip.startsWith('127.') || ip === '::1') return true;
  if (!hostAddresses || Date.now() - hostAddresses.at > 10_000) {
    const set = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
    hostAddresses = { at: Date.now(), set };
  }
  return hostAddresses.set.has(ip);
}

interface Listener {
  port: number;
  balancer: Balancer;
  close(): void;
}

function listenTcp(host: string, port: number, balancer: Balancer, log: Logger): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((client: Socket) => {
      client.on('error', () => undefined);
      const tryEndpoint = (attempt: number) => {
        const ep = balancer.pick(client.remoteAddress ?? '');
        if (!ep) return client.destroy();
        const upstream = connect({ host: ep.ip, port: ep.port });
        upstream.once('connect', () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
        upstream.on('error', () => {
          if (!upstream.readableEnded && attempt < Math.min(3, balancer.endpoints.length) && client.bytesRead === 0 && !upstream.bytesRead) {
            upstream.destroy();
            tryEndpoint(attempt + 1);
          } else client.destroy();
        });
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.end());
      };
      tryEndpoint(1);
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      const bound = (server.address() as { port: number }).port;
      log.debug({ port: bound }, 'tcp listener');
      resolve({ port: bound, balancer, close: () => server.close() });
    });
  });
}

function listenUdp(host: string, port: number, balancer: Balancer): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const sock: UdpSocket = createSocket('udp4');
    // One upstream socket per client, so replies find their way back; idle ones are closed.
    const flows = new Map<string, { up: UdpSocket; last: number }>();
    const sweeper = setInterval(() => {
      for (const [k, f] of flows) {
        if (Date.now() - f.last <= UDP_IDLE_MS) continue;
        f.up.close();
        flows.delete(k);
      }
    }, 10_000);
    sweeper.unref();
    sock.on('message', (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      let flow = flows.get(key);
      if (!flow) {
        const ep = balancer.pick(rinfo.address);
        if (!ep) return;
        const up = createSocket('udp4');
        up.on('message', (reply) => sock.send(reply, rinfo.port, rinfo.address));
        up.on('error', () => undefined);
        up.connect(ep.port, ep.ip);
        flow = { up, last: Date.now() };
        flows.set(key, flow);
        const f = flow;
        up.once('connect', () => f.up.send(msg));
        return;
      }
      flow.last = Date.now();
      try {
        flow.up.send(msg);
      } catch {
        // not connected yet: the first datagram is still in flight; drop, as UDP may
      }
    });
    sock.once('error', reject);
    sock.bind(port, host, () => {
      resolve({
        port: sock.address().port,
        balancer,
        close: () => {
          clearInterval(sweeper);
          for (const f of flows.values()) f.up.close();
          sock.close();
        },
      });
    });
  });
}

export class UserspaceBackend implements ProxyBackend {
  private readonly portals = new Map<string, Listener>();
  private readonly nodePorts = new Map<string, Listener>();
  private readonly iptables: IptablesBackend;
  private readonly listenPorts = new Map<string, number>();

  constructor(private readonly opts: { prefix: string; serviceCIDR: string; bindAddress: string; log: Logger; routeLocalnetFile?: string }) {
    this.iptables = new IptablesBackend({
      routeLocalnetFile: opts.routeLocalnetFile,
      prefix: opts.prefix,
      serviceCIDR: opts.serviceCIDR,
      log: opts.log,
      render: (ports, o) => renderRedirectRules(ports, o, this.listenPorts),
    });
  }

  init(): Promise<void> {
    return this.iptables.init();
  }

  private async reconcile(map: Map<string, Listener>, wanted: Map<string, { sp: ServicePort; port: number }>): Promise<void> {
    for (const [key, l] of map) {
      if (!wanted.has(key)) {
        l.close();
        map.delete(key);
      }
    }
    for (const [key, { sp, port }] of wanted) {
      let l = map.get(key);
      if (!l) {
        const balancer = new Balancer();
        try {
          l = sp.protocol === 'UDP' ? await listenUdp(this.opts.bindAddress, port, balancer) : await listenTcp(this.opts.bindAddress, port, balancer, this.opts.log);
        } catch (err) {
          this.opts.log.warn({ service: sp.key, port, err: (err as Error).message }, 'could not open a listener');
          continue;
        }
        map.set(key, l);
      }
      const portal = map === this.portals;
      l.balancer.endpoints = portal && sp.internalLocal ? sp.localEndpoints : sp.endpoints;
      l.balancer.localEndpoints = !portal && sp.externalLocal ? sp.localEndpoints : undefined;
      l.balancer.affinitySeconds = sp.affinitySeconds;
    }
  }

  async sync(ports: ServicePort[]): Promise<void> {
    const supported = ports.filter((p) => p.protocol === 'TCP' || p.protocol === 'UDP');
    await this.reconcile(this.portals, new Map(supported.filter((p) => p.clusterIP).map((p) => [`${p.key}/${p.protocol}`, { sp: p, port: 0 }])));
    await this.reconcile(this.nodePorts, new Map(supported.filter((p) => p.nodePort).map((p) => [`${p.key}/${p.protocol}`, { sp: p, port: p.nodePort! }])));
    this.listenPorts.clear();
    for (const [key, l] of this.portals) this.listenPorts.set(key, l.port);
    await this.iptables.sync(supported);
  }

  async cleanup(): Promise<void> {
    for (const l of [...this.portals.values(), ...this.nodePorts.values()]) l.close();
    await this.iptables.cleanup();
  }
}
