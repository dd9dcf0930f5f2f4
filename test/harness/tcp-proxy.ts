// A TCP proxy a test puts between a client and a server to play the network: pass traffic,
// cut the client off (a partition: every connection reset, new ones refused), let requests
// through while losing every answer (the server acts; the client never learns it did), or
// drop everything both ways on connections that stay open (a blackhole, as a DROP rule makes:
// nothing fails, nothing answers).
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'partition' | 'lose-answers' | 'blackhole';

export class TcpProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  mode: ProxyMode = 'pass';
  /** Answers (server to client) are held this long before they go on: a slow server or link. */
  delayMs = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.mode === 'partition') {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('data', (d) => {
        if (this.mode !== 'blackhole') upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (this.mode !== 'pass') return;
        if (this.delayMs > 0) setTimeout(() => this.mode === 'pass' && client.write(d), this.delayMs);
        else client.write(d);
      });
      client.on('close', close);
      upstream.on('close', close);
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resets every open connection. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  partition(): void {
    this.mode = 'partition';
    this.cut();
  }

  /** Connections stay open and new ones are accepted, but no byte goes either way. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  heal(): void {
    // Streams that lost bytes in a blackhole cannot be resumed: their ends must start over.
    if (this.mode === 'blackhole' || this.mode === 'lose-answers') this.cut();
    this.mode = 'pass';
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
