import { createServer, type Server } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusError } from '../api/status.js';
import { RestClient } from './rest.js';

// A loopback server whose answers the tests pick by path.
let server: Server;
let client: RestClient;
/** How many times each path was asked for. */
const asked = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const busy = (retryAfter?: string) => {
      res.writeHead(429, { 'content-type': 'application/json', ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }) });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'TooManyRequests', code: 429, message: 'Too many requests, please try again later.' }));
    };
    const seen = (asked.get(req.url ?? '') ?? 0) + 1;
    asked.set(req.url ?? '', seen);
    if (req.url === '/busy-twice' && seen <= 2) busy('0');
    else if (req.url === '/busy-twice') {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ConfigMap', attempts: seen }));
    } else if (req.url === '/always-busy') busy('0');
    else if (req.url === '/busy-no-retry-after') busy();
    else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":"ConfigMap",');
      setTimeout(() => res.end('"data":{"a":"b"}}'), 20);
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"kind":');
      setTimeout(() => res.socket?.destroy(), 20);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'nothing here' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});

afterAll(async () => {
  await client.close();
  await new Promise((r) => server.close(r));
});

describe('RestClient answers', () => {
  it('reads a body that arrives in several chunks', async () => {
    expect(await client.request('GET', '/chunked')).toEqual({ kind: 'ConfigMap', data: { a: 'b' } });
  });

  it('fails a request whose answer is cut off before its end', async () => {
    await expect(client.request('GET', '/cut')).rejects.toThrow();
  });

  it("turns a non-2xx answer into a StatusError with the server's Status", async () => {
    const err = await client.request('GET', '/missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(404);
    expect((err as StatusError).message).toContain('nothing here');
  });
});

describe('RestClient and 429', () => {
  it('sends a request turned away with 429 again after its Retry-After, body and all', async () => {
    expect(await client.request('POST', '/busy-twice', { body: { kind: 'ConfigMap' } })).toEqual({ kind: 'ConfigMap', attempts: 3 });
  });

  it('gives up after 10 more tries, and at once without a Retry-After', async () => {
    const err = await client.request('GET', '/always-busy').catch((e: unknown) => e);
    expect([(err as StatusError).code, asked.get('/always-busy')]).toEqual([429, 11]);
    const now = await client.request('GET', '/busy-no-retry-after').catch((e: unknown) => e);
    expect([(now as StatusError).code, asked.get('/busy-no-retry-after')]).toEqual([429, 1]);
  });
});

describe('RestClient timeouts', () => {
  // The server runs on a thread of its own, so it answers while this thread is busy.
  const SERVER = `
    const { createServer } = require('node:http');
    const { parentPort } = require('node:worker_threads');
    const s = createServer((req, res) => {
      if (req.url === '/hang') return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","status":"Success"}');
    });
    s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
  `;
  let worker: Worker;
  let timed: RestClient;

  beforeAll(async () => {
    worker = new Worker(SERVER, { eval: true });
    const port = await new Promise<number>((r) => worker.once('message', r));
    timed = new RestClient({ server: `http://127.0.0.1:${port}`, timeoutMs: 200, connections: 1 });
  });

  afterAll(async () => {
    await timed.close();
    await worker.terminate();
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    await expect(timed.request('GET', '/hang')).rejects.toThrow(/no answer from .* within 200 ms/);
  });

  it('keeps an answer that arrived in time while this process was too busy to read it', async () => {
    await timed.request('GET', '/warm'); // a kept-alive connection: the next request goes out at once
    const answer = timed.request('GET', '/fast');
    // The request goes out at once and its answer within milliseconds, but this thread runs
    // 400 ms before it looks at its sockets again (as after a long I/O callback): by then the
    // request's timer is overdue, and timers run before sockets are read.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = Date.now() + 400;
        while (Date.now() < until) {
          // busy
        }
        resolve();
      }),
    );
    expect(await answer).toEqual({ kind: 'Status', status: 'Success' });
  });
});
