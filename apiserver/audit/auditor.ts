// The audit log (--audit-log-path): one JSON line per audit.k8s.io/v1 Event, at the level the
// policy gives each request, for the stages it does not omit: RequestReceived once the caller
// is known, ResponseStarted when a watch begins streaming, ResponseComplete with the response's
// status (and bodies at the Request and RequestResponse levels). Every response carries its
// Audit-Id header, as Kubernetes' do.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { microTime } from '../../api/time.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import { requestAttributes, type RequestAttributes } from '../authz/request-info.js';
import { decodedPath } from '../http/path.js';
import { requestIdentity } from '../http/request-gate.js';
import { notesOf } from './notes.js';
import { evaluate, type AuditPolicy, type Level, type Stage } from './policy.js';

const MAX_BODY = 1024 * 1024;

interface Pending {
  id: string;
  received: string;
  attrs?: RequestAttributes;
  level?: Level;
  omit?: Stage[];
  requestObject?: unknown;
  responseObject?: unknown;
  failure?: { reason?: string; message?: string };
}

/** The authorizer's and the handlers' annotations, if any. */
function annotationsOf(...sets: Array<Record<string, string> | undefined>): { annotations?: Record<string, string> } {
  const all = Object.assign({}, ...sets.filter(Boolean)) as Record<string, string>;
  return Object.keys(all).length ? { annotations: all } : {};
}

const userOut = (u: UserInfo) => ({ username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) });

function jsonBody(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8', 0, Math.min(body.length, MAX_BODY + 1)) : typeof body === 'string' ? body : undefined;
  if (text === undefined || text.length > MAX_BODY) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class Auditor {
  private readonly out: WriteStream | NodeJS.WriteStream;
  private readonly pending = new WeakMap<FastifyRequest, Pending>();

  constructor(
    private readonly policy: AuditPolicy,
    path: string,
  ) {
    this.out = path === '-' ? process.stdout : createWriteStream(path, { flags: 'a', mode: 0o600 });
  }

  private attrs(req: FastifyRequest): RequestAttributes | undefined {
    try {
      const raw = req.raw.url ?? '/';
      const q = raw.indexOf('?');
      const watch = q < 0 ? undefined : (new URLSearchParams(raw.slice(q + 1)).get('watch') ?? undefined);
      return requestAttributes(req.method, decodedPath(raw), watch);
    } catch {
      return undefined; // a malformed path: logged as what it was, without an objectRef
    }
  }

  private emit(req: FastifyRequest, p: Pending, stage: Stage, extra: Record<string, unknown> = {}): void {
    if (!p.level || p.level === 'None' || p.omit?.includes(stage)) return;
    const identity = requestIdentity(req.raw);
    const a = p.attrs;
    const event = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: p.level,
      auditID: p.id,
      stage,
      requestURI: req.raw.url,
      verb: a?.verb ?? req.method.toLowerCase(),
      user: identity ? userOut(identity.impersonator ?? identity.user) : {},
      ...(identity?.impersonator ? { impersonatedUser: userOut(identity.user) } : {}),
      sourceIPs: [req.ip],
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...(a?.resourceRequest
        ? {
            objectRef: {
              resource: a.resource,
              ...(a.namespace ? { namespace: a.namespace } : {}),
              ...(a.name || notesOf(req.raw)?.name ? { name: a.name || notesOf(req.raw)?.name } : {}),
              ...(a.apiGroup ? { apiGroup: a.apiGroup } : {}),
              apiVersion: a.apiVersion,
              ...(a.subresource ? { subresource: a.subresource } : {}),
            },
          }
        : {}),
      ...extra,
      ...(p.requestObject !== undefined && (p.level === 'Request' || p.level === 'RequestResponse') && stage !== 'RequestReceived' ? { requestObject: p.requestObject } : {}),
      requestReceivedTimestamp: p.received,
      stageTimestamp: microTime(),
      ...annotationsOf(identity?.decision ? { 'authorization.k8s.io/decision': identity.decision, 'authorization.k8s.io/reason': identity.reason ?? '' } : undefined, notesOf(req.raw)?.annotations),
    };
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  /** Decides the level once the gate has run (or refused); emits RequestReceived. */
  private decide(req: FastifyRequest, p: Pending): void {
    if (p.level) return;
    p.attrs = this.attrs(req);
    const identity = requestIdentity(req.raw);
    const verdict = p.attrs ? evaluate(this.policy, identity?.user, p.attrs) : { level: 'Metadata' as Level, omitStages: this.policy.omitStages };
    p.level = verdict.level;
    p.omit = verdict.omitStages;
  }

  /** Registers the hooks: before the gate (start) and after it (everything else). */
  installBeforeGate(app: FastifyInstance): void {
    app.addHook('onRequest', async (req, reply) => {
      const p: Pending = { id: randomUUID(), received: microTime() };
      this.pending.set(req, p);
      reply.header('Audit-Id', p.id);
    });
  }

  installAfterGate(app: FastifyInstance): void {
    app.addHook('onRequest', async (req) => {
      const p = this.pending.get(req);
      if (!p) return;
      this.decide(req, p);
      this.emit(req, p, 'RequestReceived');
    });
    app.addHook('preHandler', async (req) => {
      const p = this.pending.get(req);
      if (!p) return;
      if (p.level === 'Request' || p.level === 'RequestResponse') p.requestObject = jsonBody(req.body);
      // A watch streams until it ends: its response starts now.
      if (p.attrs?.verb === 'watch') this.emit(req, p, 'ResponseStarted', { responseStatus: { metadata: {}, code: 200 } });
    });
    app.addHook('onSend', async (req, reply, payload) => {
      const p = this.pending.get(req);
      if (p?.level === 'RequestResponse' && reply.statusCode < 400) p.responseObject = jsonBody(payload);
      if (p && reply.statusCode >= 400) {
        const status = jsonBody(payload) as { reason?: string; message?: string } | undefined;
        if (status) p.failure = { reason: status.reason, message: status.message };
      }
      return payload;
    });
    app.addHook('onResponse', async (req, reply) => {
      const p = this.pending.get(req);
      if (!p) return;
      this.decide(req, p); // refused by the gate: never reached the hook above
      const code = reply.statusCode;
      const failed = code >= 400;
      this.emit(req, p, 'ResponseComplete', {
        responseStatus: { metadata: {}, code, ...(failed ? { status: 'Failure', ...(p.failure?.message ? { message: p.failure.message } : {}), ...(p.failure?.reason ? { reason: p.failure.reason } : {}) } : {}) },
        ...(p.responseObject !== undefined ? { responseObject: p.responseObject } : {}),
      });
    });
  }

  close(): void {
    if (this.out !== process.stdout) (this.out as WriteStream).end();
  }
}
