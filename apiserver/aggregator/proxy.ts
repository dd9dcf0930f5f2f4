// API aggregation: a group version whose APIService names a Service is served by that
// Service. Requests under /apis/<group>/<version> are relayed over HTTPS to one of its ready
// endpoints (trusting spec.caBundle, or not checking with insecureSkipTLSVerify), with the
// caller's identity in X-Remote-User / X-Remote-Group as Kubernetes' front proxy sends it;
// its discovery document is fetched and merged into this server's discovery.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Agent, Dispatcher } from 'undici';
import { isObject } from '../../api/codec/values.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject, Unstructured } from '../../api/types/meta.js';
import { requestUser } from '../http/request-gate.js';
import { undici } from '../http/undici.js';
import type { Registry } from '../registry/registry.js';
import { serviceEndpoint } from '../registry/service-endpoint.js';

export interface RemoteResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface RemoteGroupVersion {
  group: string;
  version: string;
  resources: RemoteResource[];
}

/** --proxy-client-cert-file/-key and --requestheader-*: the identity requests are relayed with. */
export interface FrontProxyOptions {
  certPem: string;
  keyPem: string;
  /** --requestheader-client-ca-file: the CA that signed the front proxy's certificate. */
  requestHeaderCaPem?: string;
  /** --requestheader-allowed-names: the certificate names aggregated servers accept (none: any). */
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeadersPrefix: string[];
}

export const DEFAULT_REQUEST_HEADERS = { usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'], extraHeadersPrefix: ['X-Remote-Extra-'] };

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'content-length']);

export class AggregatorProxy {
  /** Discovery of each available service-backed group version, refreshed by the controller. */
  private readonly discovered = new Map<string, RemoteGroupVersion>();
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
    private readonly frontProxy?: FrontProxyOptions,
  ) {}

  private apiservices(): KubeObject[] {
    const store = this.registry.storeFor(this.registry.table.find('apiregistration.k8s.io', 'v1', 'apiservices')!);
    return store.cache.list(store.keyPrefix()).map((o) => o.obj);
  }

  /** The service-backed APIService of a group version this server does not serve itself. */
  backendFor(group: string, version: string): KubeObject | undefined {
    if (this.registry.table.groupVersions().some((g) => g.group === group && g.version === version)) return undefined;
    return this.apiservices().find((a) => a.metadata.name === `${version}.${group}` && isObject(a.spec?.service));
  }

  /** Remote group versions whose APIService is Available, with their fetched resources. */
  remoteGroupVersions(): RemoteGroupVersion[] {
    const out: RemoteGroupVersion[] = [];
    for (const a of this.apiservices()) {
      if (!isObject(a.spec?.service)) continue;
      const available = ((a.status?.conditions as Unstructured[]) ?? []).some((c) => c.type === 'Available' && c.status === 'True');
      const gv = this.discovered.get(a.metadata.name!);
      if (available && gv) out.push(gv);
    }
    return out;
  }

  /** Where the Service's port is served: one ready endpoint address and port. */
  private target(apiservice: KubeObject): { host: string; port: number } {
    const ref = apiservice.spec!.service as { namespace: string; name: string; port?: number };
    return serviceEndpoint(this.registry, ref.namespace, ref.name, ref.port ?? 443);
  }

  private async agent(apiservice: KubeObject): Promise<Agent> {
    const { Agent } = await undici();
    const ca = apiservice.spec?.caBundle as string | undefined;
    const insecure = apiservice.spec?.insecureSkipTLSVerify === true;
    const key = `${insecure}:${ca ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          ...(ca ? { ca: Buffer.from(ca, 'base64').toString('utf8') } : {}),
          // Who we are to the aggregated server: the front proxy, vouching for X-Remote-*.
          ...(this.frontProxy ? { cert: this.frontProxy.certPem, key: this.frontProxy.keyPem } : {}),
          rejectUnauthorized: !insecure,
          servername: undefined,
        },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Relays one request to the backend and its answer (streamed: watches too) to the client. */
  async proxy(req: FastifyRequest, reply: FastifyReply, apiservice: KubeObject): Promise<FastifyReply> {
    const { host, port } = this.target(apiservice);
    const headers: Record<string, string | string[]> = {};
    // The caller's own identity headers never pass: only ours, below.
    const ours = this.frontProxy ?? DEFAULT_REQUEST_HEADERS;
    const reserved = [...ours.usernameHeaders, ...ours.groupHeaders].map((h) => h.toLowerCase());
    const prefixes = ours.extraHeadersPrefix.map((h) => h.toLowerCase());
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k) || reserved.includes(k) || prefixes.some((p) => k.startsWith(p)) || k.startsWith('x-remote-')) continue;
      headers[k] = v as string | string[];
    }
    const user = requestUser(req.raw);
    const names = this.frontProxy ?? DEFAULT_REQUEST_HEADERS;
    headers[names.usernameHeaders[0]!.toLowerCase()] = user.name;
    headers[names.groupHeaders[0]!.toLowerCase()] = user.groups;
    for (const [k, values] of Object.entries(user.extra ?? {})) headers[`${names.extraHeadersPrefix[0]!.toLowerCase()}${encodeURIComponent(k)}`] = values;
    let res: Dispatcher.ResponseData;
    try {
      const { request } = await undici();
      res = await request(`https://${host.includes(':') ? `[${host}]` : host}:${port}${req.raw.url ?? req.url}`, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: Buffer.isBuffer(req.body) && req.body.length ? req.body : undefined,
        dispatcher: await this.agent(apiservice),
        bodyTimeout: 0,
        headersTimeout: 30_000,
      });
    } catch (err) {
      throw new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${(err as Error).message}`);
    }
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) reply.header(k, v);
    return reply.code(res.statusCode).send(res.body);
  }

  /** Fetches a backend's discovery (APIResourceList) for the aggregated discovery documents. */
  async refresh(apiservice: KubeObject): Promise<void> {
    const { group, version } = apiservice.spec as { group: string; version: string };
    try {
      const { host, port } = this.target(apiservice);
      const { request } = await undici();
      // Asked as kube-aggregator asks it: a user of its own, in system:masters, vouched for by the front proxy.
      const ours = this.frontProxy ?? DEFAULT_REQUEST_HEADERS;
      const headers = { accept: 'application/json', [ours.usernameHeaders[0]!]: 'system:kube-aggregator', [ours.groupHeaders[0]!]: 'system:masters' };
      const res = await request(`https://${host}:${port}/apis/${group}/${version}`, { dispatcher: await this.agent(apiservice), headersTimeout: 5000, bodyTimeout: 5000, headers });
      const body = (await res.body.json()) as { resources?: RemoteResource[] };
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      this.discovered.set(apiservice.metadata.name!, { group, version, resources: (body.resources ?? []).filter((r) => !r.name.includes('/')) });
    } catch (err) {
      this.discovered.delete(apiservice.metadata.name!);
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}
