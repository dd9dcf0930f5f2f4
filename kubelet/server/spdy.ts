// The server side of SPDY/3.1 as Kubernetes' streaming protocols use it (port-forward and
// remote command over an `Upgrade: SPDY/3.1` connection, or tunnelled inside a WebSocket by
// kubectl 1.30+): the client opens streams (SYN_STREAM with headers), the server answers each
// (SYN_REPLY), both sides send DATA and half-close with FIN. Header blocks are zlib-compressed
// with the dictionary the SPDY/3 specification defines, one compression context per
// direction for the whole session. Like the Go implementation kubectl talks to, flow control
// windows are not enforced.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

// The SPDY/3 header dictionary: length-prefixed words, then a fixed tail (spec section 2.6.10.1).
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY_DICTIONARY = Buffer.concat([
  ...DICTIONARY_WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const HEADERS = 8;
const FLAG_FIN = 0x01;
const MAX_DATA = 32 * 1024;
/** A frame longer than this is not something Kubernetes' clients send (they write 32 KiB at most): the session ends. */
const MAX_FRAME = 1024 * 1024;
/**
 * The most a header block may inflate to. Kubernetes' streams carry a handful of short headers;
 * a few hundred KiB of zeros would inflate a thousandfold, so the bound ends the session first.
 */
export const MAX_HEADER_BLOCK = 256 * 1024;
/** Open streams one session may have (kubectl opens two per forwarded connection). */
const MAX_STREAMS = 1000;
/** RST_STREAM status codes. */
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 };

/** A stream of a session: readable (the peer's DATA) and writable (ours), ending with FIN each way. */
export class SpdyStream extends Duplex {
  private finSent = false;

  constructor(
    readonly id: number,
    /** Header names are lower case; a value is the first of its NUL-separated values. */
    readonly headers: Map<string, string>,
    private readonly session: SpdySession,
  ) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    // Data is pushed as frames arrive; reading again lets a paused session read on.
    this.session.readable(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.finSent = true;
    this.session.sendData(this.id, Buffer.alloc(0), true).then(() => done(), done);
  }

  /** Answers the stream's SYN_STREAM; Kubernetes' clients wait for this before using it. */
  reply(headers: Record<string, string> = {}): Promise<void> {
    return this.session.sendReply(this.id, headers);
  }

  /** Ends the stream abruptly (RST_STREAM). */
  reset(status = RST.CANCEL): void {
    if (!this.finSent) void this.session.sendReset(this.id, status);
    this.destroy();
  }
}

export class SpdySession extends EventEmitter<{ stream: [SpdyStream]; close: [] }> {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private readonly deflate: Deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  /** Frames in: handled one at a time (header blocks share one decompression context). */
  private reading: Promise<void> = Promise.resolve();
  /** Frames out: written in order (header blocks share one compression context). */
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private lastStreamId = 0;
  /**
   * Streams whose reader is behind: the connection is not read until they have been read. SPDY's
   * windows are not enforced (as in Go's implementation), so this is what keeps a peer that
   * writes faster than a stream is consumed (a container's stdin, a pod's port) from filling
   * the kubelet's memory: the peer's writes wait in TCP instead.
   */
  private readonly behind = new Set<SpdyStream>();

  constructor(private readonly conn: Duplex) {
    super();
    // A corrupt header block fails the decompression that read it (and ends the session); the
    // streams must never throw an unhandled 'error' on their own.
    this.inflate.on('error', () => undefined);
    this.deflate.on('error', () => undefined);
    conn.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.reading = this.reading.then(() => this.parse()).catch(() => this.close());
    });
    conn.on('close', () => this.close());
    conn.on('end', () => this.close());
    conn.on('error', () => this.close());
  }

  get openStreams(): number {
    return this.streams.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    if (!this.conn.destroyed && this.conn.writable) {
      const body = Buffer.alloc(8);
      body.writeUInt32BE(this.lastStreamId & 0x7fffffff, 0);
      this.conn.end(controlFrame(GOAWAY, 0, body));
    }
    setTimeout(() => this.conn.destroy(), 1000).unref();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }

  private async parse(): Promise<void> {
    while (this.buffer.length >= 8 && !this.closed) {
      const length = this.buffer.readUIntBE(5, 3);
      if (length > MAX_FRAME) throw new Error('frame too large');
      if (this.buffer.length < 8 + length) return;
      const head = this.buffer.subarray(0, 8);
      const body = this.buffer.subarray(8, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      const flags = head[4]!;
      if (head[0]! & 0x80) await this.control(head.readUInt16BE(0) & 0x7fff, head.readUInt16BE(2), flags, Buffer.from(body));
      else this.data(head.readUInt32BE(0) & 0x7fffffff, flags, Buffer.from(body));
    }
  }

  private async control(version: number, type: number, flags: number, body: Buffer): Promise<void> {
    if (version !== VERSION) throw new Error(`SPDY version ${version}`);
    switch (type) {
      case SYN_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(await this.decompress(body.subarray(10)));
        if (id <= this.lastStreamId || id % 2 === 0) {
          void this.sendReset(id, RST.PROTOCOL_ERROR);
          return;
        }
        this.lastStreamId = id;
        if (this.streams.size >= MAX_STREAMS) {
          void this.sendReset(id, RST.REFUSED_STREAM);
          return;
        }
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        stream.once('close', () => {
          this.streams.delete(id);
          // A stream that goes away unread holds nothing back.
          this.readable(stream);
        });
        if (flags & FLAG_FIN) stream.push(null);
        this.emit('stream', stream);
        return;
      }
      case HEADERS:
      case SYN_REPLY:
        // Extra headers on a stream (none of Kubernetes' protocols sends them to a server): keep the
        // decompression context in step and move on.
        await this.decompress(body.subarray(4));
        return;
      case RST_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.destroy();
        return;
      }
      case PING:
        // Answered with the same id (keep-alives).
        void this.enqueue(controlFrame(PING, 0, body.subarray(0, 4)));
        return;
      case GOAWAY:
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and others: nothing to do here.
        return;
    }
  }

  private data(id: number, flags: number, payload: Buffer): void {
    const stream = this.streams.get(id);
    if (!stream) {
      void this.sendReset(id, RST.INVALID_STREAM);
      return;
    }
    if (payload.length && !stream.push(payload)) {
      this.behind.add(stream);
      this.conn.pause();
    }
    if (flags & FLAG_FIN) stream.push(null);
  }

  /** A stream wants more: once no stream is behind, the connection is read again. */
  readable(stream: SpdyStream): void {
    if (!this.behind.delete(stream) || this.behind.size > 0 || this.closed) return;
    this.conn.resume();
  }

  private decompress(block: Buffer): Promise<Buffer> {
    return flushThrough(this.inflate, block, MAX_HEADER_BLOCK);
  }

  private compress(block: Buffer): Promise<Buffer> {
    return flushThrough(this.deflate, block, Infinity);
  }

  /** Queues frames (or a frame built when its turn comes) behind everything sent before. */
  private enqueue(frame: Buffer | (() => Promise<Buffer>)): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.closed || !this.conn.writable) return;
      const bytes = typeof frame === 'function' ? await frame() : frame;
      if (!this.conn.write(bytes)) await drainedOrClosed(this.conn);
    });
    return this.writing.catch(() => undefined);
  }

  sendReply(id: number, headers: Record<string, string>): Promise<void> {
    return this.enqueue(async () => {
      const block = await this.compress(headerBlock(headers));
      const body = Buffer.alloc(4);
      body.writeUInt32BE(id & 0x7fffffff);
      return controlFrame(SYN_REPLY, 0, Buffer.concat([body, block]));
    });
  }

  sendData(id: number, data: Buffer, fin: boolean): Promise<void> {
    const frames: Buffer[] = [];
    for (let off = 0; off < data.length; off += MAX_DATA) frames.push(dataFrame(id, data.subarray(off, off + MAX_DATA), fin && off + MAX_DATA >= data.length));
    if (data.length === 0) frames.push(dataFrame(id, data, fin));
    return Promise.all(frames.map((f) => this.enqueue(f))).then(() => undefined);
  }

  sendReset(id: number, status: number): Promise<void> {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(id & 0x7fffffff, 0);
    body.writeUInt32BE(status, 4);
    return this.enqueue(controlFrame(RST_STREAM, 0, body));
  }
}

/** Resolves when `conn` can take more, or is gone; leaves no listener behind either way. */
function drainedOrClosed(conn: Duplex): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      conn.off('drain', done);
      conn.off('close', done);
      resolve();
    };
    conn.on('drain', done);
    conn.on('close', done);
  });
}

/**
 * Runs one header block through a session's zlib context and returns what came out, flushed;
 * refuses (and stops collecting) once more than `limit` bytes came out. The context is then
 * out of step for good: the caller ends the session.
 */
function flushThrough(z: Inflate | Deflate, block: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let size = 0;
    const stop = () => {
      z.off('data', onData);
      z.off('error', fail);
    };
    const fail = (err: Error) => {
      stop();
      reject(err);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        out.length = 0;
        fail(new Error(`a header block inflates to more than ${limit} bytes`));
        return;
      }
      out.push(c);
    };
    z.on('data', onData);
    z.once('error', fail);
    z.write(block);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      stop();
      resolve(Buffer.concat(out));
    });
  });
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(body.length, 4);
  head[4] = flags;
  return Buffer.concat([head, body]);
}

function dataFrame(id: number, data: Buffer, fin: boolean): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(id & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head[4] = fin ? FLAG_FIN : 0;
  return Buffer.concat([head, data]);
}

/** An uncompressed header block: a count, then length-prefixed names and values. */
export function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  if (block.length < 4) return headers;
  const count = block.readUInt32BE(0);
  let at = 4;
  for (let i = 0; i < count && at + 4 <= block.length; i++) {
    const nameLen = block.readUInt32BE(at);
    const name = block.subarray(at + 4, at + 4 + nameLen).toString('latin1').toLowerCase();
    at += 4 + nameLen;
    if (at + 4 > block.length) break;
    const valueLen = block.readUInt32BE(at);
    const value = block.subarray(at + 4, at + 4 + valueLen).toString('utf8');
    at += 4 + valueLen;
    headers.set(name, value.split('\0')[0]!);
  }
  return headers;
}
