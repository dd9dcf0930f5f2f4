// The DNS server: UDP and TCP on one port. Questions in the cluster domain (and reverse
// lookups of cluster addresses) are answered from the informers' caches; anything else is
// relayed to the upstream resolvers (the host's, from /etc/resolv.conf) and their answer
// returned unchanged.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Logger } from 'pino';
import { resolveName, type Catalog } from './records.js';

export interface DnsServerOptions {
  host: string;
  port: number;
  domain: string;
  upstreams: string[];
  catalog: () => Catalog;
  log: Logger;
}

const UPSTREAM_TIMEOUT_MS = 2000;

export class DnsServer {
  private udp?: UdpSocket;
  private tcp?: Server;
  queries = 0;
  forwarded = 0;
  failures = 0;

  constructor(private readonly opts: DnsServerOptions) {}

  /** Starts both listeners; resolves with the port bound. */
  async start(): Promise<number> {
    const udp = createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => void this.answer(msg).then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address)));
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.port, this.opts.host, () => resolve(udp.address().port));
    });
    this.tcp = createServer((conn) => {
      let buf = Buffer.alloc(0);
      conn.on('error', () => undefined);
      conn.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          void this.answer(msg).then((reply) => {
            if (!reply || conn.destroyed) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(reply.length);
            conn.write(Buffer.concat([len, reply]));
          });
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once('error', reject);
      this.tcp!.listen(port, this.opts.host, () => resolve());
    });
    return port;
  }

  close(): void {
    this.udp?.close();
    this.tcp?.close();
  }

  /** The reply to one query message, or undefined for garbage. */
  async answer(msg: Buffer): Promise<Buffer | undefined> {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      this.failures++;
      return undefined;
    }
    this.queries++;
    const q = query.questions?.[0];
    const base = { id: query.id, type: 'response' as const, questions: query.questions };
    if (!q) return dnsPacket.encode({ ...base, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, rcode: 'FORMERR' } as never);
    const result = resolveName(q.name, q.type, this.opts.catalog(), this.opts.domain);
    if (result.kind === 'forward') return this.forward(msg, query);
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED);
    if (result.kind === 'nxdomain') return dnsPacket.encode({ ...base, flags, rcode: 'NXDOMAIN' } as never);
    return dnsPacket.encode({ ...base, flags, answers: result.answers.map((a) => ({ ...a, class: 'IN' })) as dnsPacket.Answer[] });
  }

  /** Relays the query to the upstream resolvers in turn; SERVFAIL if none answers. */
  private async forward(msg: Buffer, query: dnsPacket.Packet): Promise<Buffer> {
    this.forwarded++;
    for (const upstream of this.opts.upstreams) {
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const sock = createSocket(upstream.includes(':') ? 'udp6' : 'udp4');
        const timer = setTimeout(() => (sock.close(), resolve(undefined)), UPSTREAM_TIMEOUT_MS);
        sock.on('error', () => (clearTimeout(timer), sock.close(), resolve(undefined)));
        sock.on('message', (r) => (clearTimeout(timer), sock.close(), resolve(r)));
        sock.send(msg, 53, upstream);
      });
      if (reply) return reply;
    }
    this.failures++;
    return dnsPacket.encode({ id: query.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE, questions: query.questions, rcode: 'SERVFAIL' } as never);
  }
}
