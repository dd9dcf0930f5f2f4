// Every failure a client can meet, as the Kubernetes Status it gets: errors thrown by the
// handlers, storage failures, fastify's own refusals (bad URL, body too large, wrong media
// type) and what Node's HTTP parser rejects before any route runs (431, malformed requests).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toResponseYAML } from '../../api/codec/yaml.js';
import { encodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/envelope.js';
import { internalError, StatusError } from '../../api/status.js';
import { EtcdRequestError, FutureRevisionError, OutcomeUnknownError, RequestTooLargeError, UnavailableError } from '../storage/etcd/errors.js';

/** A Status as Kubernetes writes it: JSON with a trailing newline. */
export function statusBody(err: StatusError): string {
  return `${JSON.stringify(err.toStatus())}\n`;
}

export function sendStatus(reply: FastifyReply, err: StatusError): FastifyReply {
  if (err.details?.retryAfterSeconds) reply.header('Retry-After', String(err.details.retryAfterSeconds));
  // Written in the first media type the client takes a plain object in, as Kubernetes
  // negotiates an error's Status: protobuf for a Go client so configured, YAML for one that asks.
  const media = statusMediaType(reply.request?.headers.accept);
  if (media === 'protobuf') return reply.code(err.code).header('Content-Type', PROTOBUF_MEDIA_TYPE).send(encodeKubernetesProtobuf(err.toStatus()));
  if (media === 'yaml') return reply.code(err.code).header('Content-Type', 'application/yaml').send(toResponseYAML(err.toStatus()));
  return reply.code(err.code).header('Content-Type', 'application/json').send(statusBody(err));
}

/** The first media type of an Accept header that a Status can be written in (not Tables or metadata: `as=`). */
function statusMediaType(accept: string | undefined): 'json' | 'yaml' | 'protobuf' {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => p.startsWith('as='))) continue;
    if (type === PROTOBUF_MEDIA_TYPE) return 'protobuf';
    if (type === 'application/yaml') return 'yaml';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  }
  return 'json';
}

/** The Status for any error a request ran into. */
export function statusFor(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof RequestTooLargeError) {
    return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: etcdserver: request is too large (${err.message})`);
  }
  if (err instanceof UnavailableError) {
    return new StatusError(503, 'ServiceUnavailable', `storage is unavailable: ${err.message}`, { retryAfterSeconds: 1 });
  }
  if (err instanceof OutcomeUnknownError) {
    return new StatusError(504, 'Timeout', `Timeout: the write may or may not have been applied: ${err.message}`, { retryAfterSeconds: 1 });
  }
  if (err instanceof FutureRevisionError) {
    return new StatusError(504, 'Timeout', `Too large resource version: the requested revision is newer than the current one (${err.currentRevision})`, { retryAfterSeconds: 1 });
  }
  if (err instanceof EtcdRequestError) return internalError(err.message);
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    // Should be impossible (bodies are depth-checked); never a 500 that looks like a crash.
    return new StatusError(400, 'BadRequest', `the request is nested too deeply to process: ${err.message}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/request is too large/.test(message)) return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
  return internalError(message);
}

const FASTIFY_REASONS: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  408: 'Timeout',
  413: 'RequestEntityTooLarge',
  414: 'RequestURITooLong',
  415: 'UnsupportedMediaType',
  431: 'RequestHeaderFieldsTooLarge',
};

/** fastify's own errors (bad URL, over-long parameter, media type, ...) as Statuses. */
export function frameworkStatus(err: FastifyError): StatusError {
  const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  return new StatusError(code, FASTIFY_REASONS[code] ?? 'BadRequest', err.message);
}

/** For fastify's `frameworkErrors` option: routing-time failures answer a Status too. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void sendStatus(reply, frameworkStatus(err));
}

/**
 * Node's HTTP parser rejected the request (headers too large, malformed request line, a
 * request that took too long to arrive): answer a Status on the raw socket and close it.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A response is already on its way (e.g. a handler timeout): never a second one.
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  let status: StatusError;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = new StatusError(431, 'RequestHeaderFieldsTooLarge', 'Request Header Fields Too Large: the request headers exceed the allowed size');
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = new StatusError(408, 'Timeout', 'the request was not received in time');
  } else {
    status = new StatusError(400, 'BadRequest', `malformed HTTP request: ${err.code ?? err.message}`);
  }
  const body = statusBody(status);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
