// build(): the apiserver as a fastify app over an etcd store (or any KVStore), ready to listen. main.ts is the
// only place that listens; tests build the same app.
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { apiPrefix, findResource, type ResourceInfo, type ResourceTable } from '../api/resources.js';
import { CRDController } from './apiextensions/crd-controller.js';
import { APIServiceController } from './aggregator/apiservice-controller.js';
import { publishAuthenticationConfig } from './aggregator/authentication-config.js';
import { AggregatorProxy, type FrontProxyOptions } from './aggregator/proxy.js';
import type { KubeObject } from '../api/types/meta.js';
import { PodSecurityAdmission } from './admission/pod-security/admission.js';
import type { PodSecurityConfig } from './admission/pod-security/config.js';
import { policySource } from './admission/policy/policy-source.js';
import { ValidatingPolicyAdmission } from './admission/policy/validating-policy.js';
import { WebhookDispatcher } from './admission/webhooks/dispatcher.js';
import { ResourceQuotaAdmission } from './admission/resource-quota.js';
import { serviceEndpoint } from './registry/service-endpoint.js';
import { ConversionWebhookCaller } from './apiextensions/conversion-webhook.js';
import { WebhookClient } from './webhooks/client.js';
import { Admission, DEFAULT_ADMISSION_PLUGINS } from './admission/admission.js';
import { EscalationCheck } from './authz/escalation.js';
import { conflict, noSuchRoute, StatusError } from '../api/status.js';
import { clientErrorHandler, frameworkErrors, frameworkStatus, sendStatus, statusFor } from './http/errors.js';
import { defaultLimits, installRequestLimits, isLongRunning, type RequestLimits } from './http/limits.js';
import { Metrics } from './metrics.js';
import { ComponentStatuses } from './registry/component-statuses.js';
import { Registry } from './registry/registry.js';
import { EndpointReconciler } from './registry/endpoint-reconciler.js';
import { ensureKubernetesService, keepSystemObjects, publishable } from './registry/system-services.js';
import { ensureSystemPriorityClasses } from './registry/system-priority-classes.js';
import { ensureFlowControlBootstrap, keepFlowControlBootstrap } from './registry/flow-control-bootstrap.js';
import { flowOf, FLOW_SCHEMA_UID_HEADER, PRIORITY_LEVEL_UID_HEADER, type Classification } from './flowcontrol/classifier.js';
import { dumpPriorityLevels, dumpQueues, dumpRequests } from './flowcontrol/debug-dumps.js';
import { Dispatcher, type LevelDump, type Work } from './flowcontrol/dispatcher.js';
import { onWatchStarted } from './flowcontrol/watch-initialization.js';
import { WatchTracker } from './flowcontrol/watch-tracker.js';
import { levelMaxSeats, listOptionsOf, requestSeats, writeWork } from './flowcontrol/work-estimator.js';
import { FlowControlConfig } from './flowcontrol/config-controller.js';
import { discoveryRoutes } from './routes/discovery.js';
import { healthRoutes, versionInfo } from './routes/health.js';
import { openapiRoutes } from './routes/openapi.js';
import { reloadServingTLS, type ServingTLSFiles } from './http/serving-tls-reload.js';
import { ProxyConnections } from './routes/subresources/proxy.js';
import { KubeletConnector, serveUpgrades, type ConnectAdmission, type KubeletClientTLS } from './routes/pod-proxy.js';
import { resourceRoutes } from './routes/resources.js';
import { RequestAuthenticator, type TokenAuthenticator } from '../component-base/authn/authenticator.js';
import { generateKeyPairSync } from 'node:crypto';
import { ServiceAccountTokens, type ObjectLookup } from './authn/service-account-tokens.js';
import { LegacyTokenTracker } from './authn/legacy-token-tracking.js';
import { LAST_USED_LABEL } from '../api/legacy-service-account-token.js';
import { BootstrapTokenAuthenticator } from './authn/bootstrap-tokens.js';
import { WebhookTokenAuthenticator, type TokenWebhookOptions } from './authn/token-webhook.js';
import type { OIDCOptions } from './authn/oidc.js';
import { JWTAuthenticators } from './authn/jwt-authenticators.js';
import { parseAuthenticationConfig } from './authn/authentication-config.js';
import { watchConfigFile } from './config/config-file-watch.js';
import { tokenFileAuthenticator, type TokenFile } from './authn/token-file.js';
import { MASTERS_GROUP, type UserInfo } from '../component-base/authn/user.js';
import type { RequestAttributes } from './authz/request-info.js';
import type { Pod } from '../api/types/pod.js';
import { ReplaceableAuthorizer } from './authz/authorizer.js';
import { parseAuthorizationConfig, type AuthorizationConfig, type AuthorizerConfig } from './authz/authorization-config.js';
import { authorizersFromModes, buildAuthorizer, type InProcessAuthorizers, type LegacyWebhookFlags } from './authz/authorizers.js';
import { reconcileBootstrapPolicy } from './authz/bootstrap.js';
import { ensureKubeletBootstrapBindings } from './authz/kubelet-bootstrap-bindings.js';
import { checkNodeRestriction, NodeAuthorizer, type NodeGraphSource } from './authz/node.js';
import { RbacAuthorizer, type PolicyRule } from './authz/rbac.js';
import { registryRbacSource } from './authz/rbac-source.js';
import type { ReviewDeps } from './authz/reviews.js';
import { finishedAnswer } from './http/pretty.js';
import { RequestGate, requestIdentity } from './http/request-gate.js';
import { Auditor } from './audit/auditor.js';
import type { AuditPolicy } from './audit/policy.js';
import { Compactor } from './storage/compactor.js';
import type { EncryptionRule } from './storage/encryption/config.js';
import { EncryptingKV } from './storage/encryption/encrypting-kv.js';
import { EtcdStore } from './storage/etcd-store.js';
import type { EtcdTLS } from './storage/etcd/client.js';
import type { KVStore } from './storage/kv.js';

export interface ApiServerOptions {
  etcdServers: string[];
  /** --etcd-cafile, --etcd-certfile, --etcd-keyfile, for https:// endpoints. */
  etcdTLS?: EtcdTLS;
  etcdPrefix: string;
  /** 0 disables compaction. */
  etcdCompactionIntervalMs: number;
  watchCacheSize: number;
  /** Events are deleted this long after their last write; 0 keeps them until deleted. */
  eventTTLMs: number;
  bookmarkIntervalMs: number;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  /** The address clients should use, reported in discovery. */
  advertiseAddress?: string;
  /** --endpoint-reconciler-type: `lease` keeps the kubernetes Service's endpoints equal to the live apiservers; `none` leaves them. */
  endpointReconciler?: 'lease' | 'none';
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  /** The port this server listens on, for the `kubernetes` Service (default 8080). */
  listenPort?: number;
  limits: RequestLimits;
  /** How long one storage operation keeps trying across etcd endpoints and outages. */
  etcdRetryWindowMs: number;
  logger?: Logger;
  /** Keep objects here instead of in etcd at etcdServers (tests: a MemoryKV). */
  storage?: KVStore;
  /** Allow requests with no credentials on the secure port, as system:anonymous (with `paths`: only for those). */
  anonymousAuth: boolean | { paths: string[] };
  /** --enable-bootstrap-token-auth: bootstrap-token-<id> Secrets in kube-system authenticate. */
  bootstrapTokenAuth?: boolean;
  /** --kubelet-bootstrap-bindings: make kubeadm's bindings for kubelet TLS bootstrap at start. */
  kubeletBootstrapBindings?: boolean;
  /** Static bearer tokens (--token-auth-file). */
  tokenFile?: TokenFile;
  /** --oidc-* (one) or --authentication-config's `jwt` (any number): ID tokens of these issuers authenticate. */
  jwt?: OIDCOptions[];
  /** --authentication-config, watched for changes to its issuers: the file and what it held at start. */
  authenticationConfig?: { file: string; text: string; reloadIntervalMs?: number };
  /** --authentication-token-webhook-config-file and its version and cache TTL. */
  tokenWebhook?: TokenWebhookOptions;
  /** --authorization-mode, in order (AlwaysAllow, AlwaysDeny, Node, RBAC, Webhook); unused with authorizationConfig. */
  authorizationModes: string[];
  /** --authorization-webhook-*: the Webhook mode's kubeconfig, review version and cache TTLs. */
  authorizationWebhook?: LegacyWebhookFlags;
  /** --authorization-config, parsed, and watched for changes: the file and what it held at start. */
  authorizationConfig?: { file: string; text: string; config: AuthorizationConfig; reloadIntervalMs?: number };
  serviceAccounts: ServiceAccountOptions;
  /** --encryption-provider-config, parsed: which resources are encrypted at rest, and how. */
  encryption?: EncryptionRule[];
  /** --audit-log-path and the policy (--audit-policy-file, or the default). */
  audit?: { path: string; policy: AuditPolicy };
  /** Admission plugins in effect (--enable-admission-plugins / --disable-admission-plugins). */
  admissionPlugins: ReadonlySet<string>;
  /** PodSecurity's defaults and exemptions (--admission-control-config-file); Kubernetes' defaults otherwise. */
  podSecurity?: PodSecurityConfig;
  /** --kubelet-client-certificate/-key and --kubelet-certificate-authority. */
  kubeletClient?: KubeletClientTLS;
  /** Aggregation: the front proxy's identity and how aggregated servers check it. */
  frontProxy?: FrontProxyOptions;
  /** --client-ca-file's PEM, published for aggregated servers. */
  clientCaPem?: string;
}

export interface ServiceAccountOptions {
  /** Signs tokens (--service-account-signing-key-file); none: a key made for this process. */
  signingKeyPem?: string;
  /** More public keys that verify tokens (--service-account-key-file). */
  publicKeyPems: string[];
  issuer: string;
  /** Audiences tokens must name to authenticate here (--api-audiences; default: the issuer). */
  audiences: string[];
  /** --service-account-max-token-expiration; 0: no cap. */
  maxExpirationSeconds: number;
}

/** TLS of the secure port. */
export interface SecureServing {
  certPem: string;
  keyPem: string;
  /** Client certificates signed by this CA authenticate their CN/O; none: no x509 authentication. */
  clientCaPem?: string;
  /** Where they were read: followed while serving (--tls-cert-file, --tls-private-key-file, --client-ca-file). */
  files?: ServingTLSFiles;
}

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC', 'Webhook'];
const EVERYTHING: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

export const BODY_LIMIT = 3 * 1024 * 1024;

export const defaultOptions: ApiServerOptions = {
  etcdServers: ['http://127.0.0.1:2379'],
  etcdPrefix: '/registry',
  etcdCompactionIntervalMs: 5 * 60 * 1000,
  watchCacheSize: 100,
  eventTTLMs: 60 * 60 * 1000,
  bookmarkIntervalMs: 60_000,
  defaultNotReadyTolerationSeconds: 300,
  defaultUnreachableTolerationSeconds: 300,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  limits: defaultLimits,
  etcdRetryWindowMs: 10_000,
  anonymousAuth: true,
  authorizationModes: ['Node', 'RBAC'],
  serviceAccounts: { publicKeyPems: [], issuer: 'https://kubernetes.default.svc.cluster.local', audiences: ['https://kubernetes.default.svc.cluster.local'], maxExpirationSeconds: 0 },
  admissionPlugins: new Set(DEFAULT_ADMISSION_PLUGINS),
};

/** An ECDSA P-256 key for signing service-account tokens, PEM. */
export function newServiceAccountKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface ApiServer {
  app: FastifyInstance;
  registry: Registry;
  etcd: KVStore;
  /** Resolves when every watch cache has loaded and the system namespaces exist. */
  ready: Promise<void>;
  /** Serves the same API over TLS on another listener (the secure port). */
  listenSecure(tls: SecureServing, host: string, port: number): Promise<HttpsServer>;
  /** A stop begins: /readyz fails (`shutdown`) and this server leaves the kubernetes endpoints, while it keeps serving. */
  beginShutdown(): Promise<void>;
  /** Stops taking requests, ends watches, finishes those under way, closes etcd. */
  close(): Promise<void>;
}

/** Fastify's schema compilers, for a server whose routes declare no schema: one that does is a bug, found at start. */
function noSchemaCompiler(): () => never {
  return () => {
    throw new Error('apiserver routes do not declare JSON schemas');
  };
}

export function build(partial: Partial<ApiServerOptions> = {}): ApiServer {
  const opts: ApiServerOptions = { ...defaultOptions, ...partial };
  const log = opts.logger ?? pino({ level: 'silent' });
  const etcd = opts.storage ?? new EtcdStore(opts.etcdServers, { tls: opts.etcdTLS, retryWindowMs: opts.etcdRetryWindowMs, log: log.child({ etcd: true }) });
  // Encryption at rest sits between the registry and etcd.
  const stored = opts.encryption ? new EncryptingKV(etcd, opts.etcdPrefix, opts.encryption, log.child({ encryption: true })) : etcd;
  const registry = new Registry(
    stored,
    {
      prefix: opts.etcdPrefix,
      watchCacheSize: opts.watchCacheSize,
      // etcd's TTLs are whole seconds.
      eventTTLSeconds: Math.ceil(opts.eventTTLMs / 1000),
      notReadyTolerationSeconds: opts.defaultNotReadyTolerationSeconds,
      unreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds,
      serviceClusterIPRange: opts.serviceClusterIPRange,
      serviceNodePortRange: opts.serviceNodePortRange,
    },
    log,
  );
  const compactor = new Compactor(etcd, `${opts.etcdPrefix}/compact_rev_key`, opts.etcdCompactionIntervalMs, log);
  const metrics = new Metrics();
  metrics.resolvedWrites = () => etcd.resolvedWrites;
  const shutdown = new AbortController();
  // Every open watch listens for shutdown (and stops listening when it ends): no fixed bound.
  setMaxListeners(0, shutdown.signal);
  let isReady = false;

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request is too much for a server that takes thousands a second.
    logController: new LogController({ disableRequestLogging: true }),
    // Nor a child logger per request (a pino child with the request's id is ~1% of a create):
    // the few lines a request logs name what they are about.
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT,
    // The time a client may take to send its whole request (headers and body); responses,
    // such as watch streams, are not bounded by it.
    requestTimeout: opts.limits.requestTimeoutMs,
    // Node checks those deadlines every 30 s by default: check every second instead.
    http: { connectionsCheckingInterval: 1000, headersTimeout: Math.min(60_000, opts.limits.requestTimeoutMs) },
    return503OnClosing: true,
    // Paths are bounded by Node's header size limit; the resolver, not the router, judges names.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    frameworkErrors,
    clientErrorHandler,
    // No route declares a JSON schema (handlers decode and validate by Kubernetes' rules), so
    // fastify's default compilers, ajv and fast-json-stringify, would only be loaded for nothing:
    // ~0.5 MB of code to compile at every start and its heap after.
    schemaController: { compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler } },
  });

  // Bodies are decoded by the handlers, which know the media types each verb accepts.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | StatusError, req, reply) => {
    if (err instanceof StatusError) return sendStatus(reply, err);
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Read the rest of the upload first: answering mid-upload resets the connection and the
      // client would see a broken pipe instead of this Status.
      const status = new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${BODY_LIMIT}`);
      reply.header('Connection', 'close');
      if (req.raw.readableEnded) return sendStatus(reply, status);
      return new Promise<void>((resolve) => {
        req.raw.on('data', () => undefined);
        req.raw.once('end', () => resolve(void sendStatus(reply, status)));
        req.raw.once('error', () => resolve());
      });
    }
    if (fe.code?.startsWith('FST_') && fe.statusCode && fe.statusCode < 500) return sendStatus(reply, frameworkStatus(fe));
    const status = statusFor(err);
    if (status.code >= 500) req.log.error({ err, method: req.method, url: req.url }, 'request failed');
    return sendStatus(reply, status);
  });
  app.setNotFoundHandler((_req, reply) => sendStatus(reply, noSuchRoute()));

  // Who is asking and may they: before limits and handlers, as Kubernetes' filter chain orders it.
  const sa = opts.serviceAccounts;
  const lookup = async (r: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> => {
    const store = registry.storeFor(r);
    const cached = store.getCached(namespace, name);
    if (cached) return cached.obj;
    // Not in the cache: gone, or created a moment ago; etcd knows which.
    try {
      return (await store.get(namespace, name)).obj;
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  };
  const objectOf: ObjectLookup = (kind, namespace, name) =>
    lookup(findResource('', 'v1', { ServiceAccount: 'serviceaccounts', Pod: 'pods', Secret: 'secrets', Node: 'nodes' }[kind])!, namespace, name);
  const serviceAccountsResource = findResource('', 'v1', 'serviceaccounts')!;
  const kubelets = new KubeletConnector(opts.kubeletClient);
  const proxies = new ProxyConnections(kubelets);
  const secretsResource = findResource('', 'v1', 'secrets')!;
  const legacyTokens = new LegacyTokenTracker(
    async (namespace, name, uid, day) => {
      await registry.storeFor(secretsResource).update(namespace, name, {
        dryRun: false,
        mutate: (current) => {
          if (current.metadata.uid !== uid) throw conflict('secrets', '', name, 'the Secret was replaced');
          return { ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, [LAST_USED_LABEL]: day } } };
        },
      });
    },
    (err) => log.warn({ err: (err as Error).message }, 'could not label a legacy service-account token with its last use'),
  );
  const serviceAccountTokens = new ServiceAccountTokens(sa.signingKeyPem ?? newServiceAccountKey(), sa.publicKeyPems, sa.issuer, sa.audiences, {
    get: objectOf,
    legacyTokenUsed: (secret) => legacyTokens.used(secret),
  });
  const bootstrapTokens = opts.bootstrapTokenAuth ? [new BootstrapTokenAuthenticator((name) => lookup(secretsResource, 'kube-system', name))] : [];
  const jwt = new JWTAuthenticators(opts.jwt ?? [], (err, issuer) => log.debug({ err: err.message, issuer }, 'JWT refused'));
  if (opts.authenticationConfig) {
    void watchConfigFile(
      {
        file: opts.authenticationConfig.file,
        parse: (text) => parseAuthenticationConfig(text, [sa.issuer]),
        intervalMs: opts.authenticationConfig.reloadIntervalMs ?? 5000,
        signal: shutdown.signal,
        apply: (config) => {
          jwt.replace(config.jwt);
          // Which requests may be anonymous is decided at start, as in Kubernetes.
          if (config.anonymous) log.info('the anonymous section of --authentication-config is read at start only');
        },
        reloaded: (status, err) => {
          metrics.countAuthenticationConfigReload(status);
          if (err) log.error({ err: err.message, file: opts.authenticationConfig!.file }, '--authentication-config not reloaded; the issuers before it stay');
          else log.info({ file: opts.authenticationConfig!.file, issuers: jwt.size }, '--authentication-config reloaded');
        },
      },
      opts.authenticationConfig.text,
    );
  }
  // Kubernetes' order: token file, service-account and bootstrap tokens, OIDC, then the webhook.
  const tokens: TokenAuthenticator[] = [
    ...(opts.tokenFile ? [tokenFileAuthenticator(opts.tokenFile)] : []),
    ...bootstrapTokens,
    serviceAccountTokens,
    jwt,
    ...(opts.tokenWebhook ? [new WebhookTokenAuthenticator(opts.tokenWebhook)] : []),
  ];
  const rbacSource = registryRbacSource(registry);
  const rbac = new RbacAuthorizer(rbacSource);
  const podStore = registry.storeFor(findResource('', 'v1', 'pods')!);
  const pvcStore = registry.storeFor(findResource('', 'v1', 'persistentvolumeclaims')!);
  const namespaceStore = registry.storeFor(findResource('', 'v1', 'namespaces')!);
  const quotaStore = registry.storeFor(findResource('', 'v1', 'resourcequotas')!);
  /** The cached objects of a v1 resource (in one namespace, or all). */
  // Admission asks on every write (webhook configurations, quotas, ranges): resources found once.
  const builtIns = new Map<string, ResourceInfo>();
  const cachedIn = (group: string, plural: string, namespace?: string) => {
    let r = builtIns.get(`${group}/${plural}`);
    if (!r) builtIns.set(`${group}/${plural}`, (r = findResource(group, 'v1', plural)!));
    const store = registry.storeFor(r);
    return store.cache.list(store.keyPrefix(namespace)).map((o) => o.obj);
  };
  const nodeGraph: NodeGraphSource = {
    // Through the pods' selectable fields (kept with each cached pod): the pods themselves are
    // held as bytes, and only the few on this node are parsed.
    podsOnNode: (node) =>
      podStore.cache
        .list(podStore.keyPrefix())
        .filter((o) => podStore.fieldsOf(o)['spec.nodeName'] === node)
        .map((o) => o.obj as unknown as Pod),
    pod: (ns, name) => podStore.getCached(ns, name)?.obj as unknown as Pod | undefined,
    pvcVolume: (ns, claim) => pvcStore.getCached(ns, claim)?.obj.spec?.volumeName as string | undefined,
  };
  const authorizerParts: InProcessAuthorizers = {
    rbac,
    node: () => new NodeAuthorizer(nodeGraph),
    onWebhookError: (name, err) => log.error({ err: err.message, authorizer: name }, 'authorization webhook failed'),
  };
  let authorizers = opts.authorizationConfig?.config.authorizers ?? authorizersFromModes(opts.authorizationModes, opts.authorizationWebhook);
  const has = (type: AuthorizerConfig['type']) => authorizers.some((a) => a.type === type);
  const authorizer = new ReplaceableAuthorizer(buildAuthorizer(authorizers, authorizerParts));
  if (opts.authorizationConfig) {
    const { file } = opts.authorizationConfig;
    void watchConfigFile(
      {
        file,
        intervalMs: opts.authorizationConfig.reloadIntervalMs ?? 5000,
        signal: shutdown.signal,
        // A configuration whose webhook kubeconfig cannot be loaded is not taken either.
        parse: async (text) => {
          const config = await parseAuthorizationConfig(text);
          return { list: config.authorizers, chain: buildAuthorizer(config.authorizers, authorizerParts) };
        },
        apply: ({ list, chain: next }) => {
          authorizers = list;
          authorizer.replace(next);
        },
        reloaded: (status, err) => {
          metrics.countAuthorizationConfigReload(status);
          if (err) log.error({ err: err.message, file }, '--authorization-config not reloaded; the authorizers before it stay');
          else log.info({ file, authorizers: authorizers.map((a) => a.name) }, '--authorization-config reloaded');
        },
      },
      opts.authorizationConfig.text,
    );
  }
  const storageClassStore = registry.storeFor(findResource('storage.k8s.io', 'v1', 'storageclasses')!);
  const admission = new Admission(opts.admissionPlugins, {
    namespaceState: (namespace) => registry.namespaceState(namespace),
    accounts: { serviceAccount: (ns, name) => lookup(serviceAccountsResource, ns, name) },
    escalation: new EscalationCheck({ authorizer, source: rbacSource, rulesFor: (user, namespace) => rbac.rulesFor(user, namespace) }),
    defaultStorageClass: () => {
      const defaults = storageClassStore.cache.list(storageClassStore.keyPrefix()).map((o) => o.obj).filter((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
      // Several defaults: the newest, as Kubernetes picks.
      return defaults.sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''))[0]?.metadata.name;
    },
    storageClasses: (name) => storageClassStore.getCached(undefined, name)?.obj,
    podSecurity: new PodSecurityAdmission({
      namespaceLabels: (name) => namespaceStore.getCached(undefined, name)?.obj.metadata.labels as Record<string, string> | undefined,
      podsIn: (namespace) => podStore.cache.list(podStore.keyPrefix(namespace)).map((o) => o.obj as unknown as Pod),
    }, opts.podSecurity),
    limitRanges: (namespace) => cachedIn('', 'limitranges', namespace),
    priorityClasses: {
      byName: (name) => registry.storeFor(findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!).getCached(undefined, name)?.obj,
      all: () => cachedIn('scheduling.k8s.io', 'priorityclasses'),
    },
    runtimeClasses: (name) => registry.storeFor(findResource('node.k8s.io', 'v1', 'runtimeclasses')!).getCached(undefined, name)?.obj,
    quota: new ResourceQuotaAdmission({
      quotas: (namespace) => cachedIn('', 'resourcequotas', namespace),
      updateStatus: async (namespace, name, change) => {
        await quotaStore.update(namespace, name, { dryRun: false, subresource: 'status', mutate: change });
      },
    }),
    policies: new ValidatingPolicyAdmission(policySource(registry), (user, attrs) => authorizer.authorize(user, attrs)),
    webhooks: new WebhookDispatcher({
      mutating: () => cachedIn('admissionregistration.k8s.io', 'mutatingwebhookconfigurations'),
      validating: () => cachedIn('admissionregistration.k8s.io', 'validatingwebhookconfigurations'),
      namespaceLabels: (name) => namespaceStore.getCached(undefined, name)?.obj.metadata.labels as Record<string, string> | undefined,
      serviceEndpoint: (namespace, name, port) => serviceEndpoint(registry, namespace, name, port),
      resourceAt: (group, version, plural) => registry.table.find(group, version, plural),
    }, log),
  });
  // NodeRestriction goes with the Node authorizer, as clusters that use one enable the other.
  const restrict = opts.admissionPlugins.has('NodeRestriction') ? (user: UserInfo, attrs: RequestAttributes) => (has('Node') ? checkNodeRestriction(user, attrs, nodeGraph) : undefined) : undefined;
  const gate = new RequestGate(new RequestAuthenticator({ anonymous: opts.anonymousAuth, tokens }), authorizer, restrict);
  const reviews: ReviewDeps = {
    authorizer,
    tokens,
    apiAudiences: sa.audiences,
    rulesFor: (user, namespace) => (user.groups.includes(MASTERS_GROUP) || has('AlwaysAllow') ? EVERYTHING : has('RBAC') ? rbac.rulesFor(user, namespace) : []),
    // As Kubernetes answers: a webhook cannot list what it would allow.
    rulesIncomplete: () => (has('Webhook') ? 'webhook authorizer does not support user rule resolution' : undefined),
  };
  const auditor = opts.audit ? new Auditor(opts.audit.policy, opts.audit.path) : undefined;
  auditor?.installBeforeGate(app);
  const flowControl = new FlowControlConfig(registry, opts.limits.maxRequestsInflight + opts.limits.maxMutatingRequestsInflight, log.child({ controller: 'flowcontrol' }));
  // API Priority and Fairness: a request admitted by the gate holds seats of its priority level
  // until it is answered (a watch only while it starts; other long-running requests none),
  // waiting in its level's queues up to a quarter of --request-timeout, as Kubernetes' default
  // wait limit is; levels lend and borrow seats every ten seconds.
  const dispatcher = new Dispatcher({ waitLimitMs: opts.limits.requestTimeoutMs / 4 });
  const watches = new WatchTracker();
  app.addHook('onRequest', async (req, reply) => {
    let matched: Classification | undefined;
    let identity: ReturnType<typeof requestIdentity>;
    try {
      await gate.admit(req.raw);
    } finally {
      // Classified once its user is known, refused or not, as Kubernetes' filter does before authorization.
      identity = requestIdentity(req.raw);
      matched = identity?.attributes ? flowControl.classify(identity.user, identity.attributes) : undefined;
      if (matched) reply.header(FLOW_SCHEMA_UID_HEADER, matched.flowSchema.metadata.uid).header(PRIORITY_LEVEL_UID_HEADER, matched.priorityLevel.metadata.uid);
    }
    if (!matched || !identity?.attributes) return;
    const level = matched.priorityLevel.metadata.name!;
    const all = flowControl.limits();
    const limits = all.get(level);
    const attrs = identity.attributes;
    const query = req.query as Record<string, string | string[] | undefined>;
    const options = listOptionsOf(query);
    const watch = attrs.resourceRequest && attrs.verb === 'watch';
    // Every watch is counted while it lasts, so a write knows how many may hear of it.
    if (watch) reply.raw.once('close', watches.register(attrs, options.fieldSelector));
    // Exec, attach, port-forward, proxy and followed logs run outside the levels; a watch served
    // here holds a seat while it starts (an aggregated API's, proxied, would hold it to its end).
    if (!limits || (isLongRunning(req) && !(watch && registry.table.find(attrs.apiGroup, attrs.apiVersion, attrs.resource)))) return;
    dispatcher.configure(all);
    const maxSeats = levelMaxSeats(limits.nominal, limits.queuing?.handSize);
    // A LIST (or a watch that lists first, sendInitialEvents=true) takes a seat per hundred objects; a write with many watchers keeps seats after it.
    const listing = attrs.resourceRequest && (attrs.verb === 'list' || (watch && /^(1|t|true)$/i.test(String(query.sendInitialEvents ?? ''))));
    const work: Work = !attrs.resourceRequest
      ? { seats: 1 }
      : listing
        ? { seats: requestSeats({ ...attrs, verb: 'list' }, options, registry.objectCount(attrs.apiGroup, attrs.apiVersion, attrs.resource), maxSeats) }
        : { seats: 1, ...writeWork(attrs, watches.interested(attrs), maxSeats) };
    const flow = flowOf(matched.flowSchema, identity.user, attrs);
    let release = dispatcher.tryAdmit(level, flow, work);
    if (!release) {
      const gone = new AbortController();
      const socket = req.raw.socket;
      const abort = () => gone.abort();
      socket.once('close', abort);
      try {
        const distinguisher = flow.slice(flow.indexOf('\0') + 1);
        const about = attrs.resourceRequest
          ? { verb: attrs.verb, path: req.url.split('?')[0]!, namespace: attrs.namespace, name: attrs.name, groupVersion: attrs.apiGroup ? `${attrs.apiGroup}/${attrs.apiVersion}` : attrs.apiVersion, resource: attrs.resource, subresource: attrs.subresource }
          : { verb: attrs.verb, path: attrs.path, namespace: '', name: '', groupVersion: '', resource: '', subresource: '' };
        release = await dispatcher.wait(level, flow, gone.signal, work, { flowSchema: matched.flowSchema.metadata.name!, distinguisher, user: identity.user.name, ...about });
      } finally {
        socket.off('close', abort);
      }
    }
    // Given back when the response is done or its connection gone, whichever way it ends (at
    // once if the client left while the request waited for its user or its seat); a watch's
    // once it has started.
    if (watch) onWatchStarted(req.raw, release);
    reply.raw.once('close', release);
    if (reply.raw.closed || req.raw.socket.destroyed) release();
  });
  auditor?.installAfterGate(app);
  installRequestLimits(app, opts.limits);
  app.addHook('onSend', async (req, reply, payload) => finishedAnswer(req.raw.url ?? req.url, req.headers['user-agent'], reply.getHeader('content-type'), payload));
  // Routes are few: each one's label is worked out once.
  const routeLabels = new Map<string, string>();
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    let label = routeLabels.get(route);
    if (label === undefined) routeLabels.set(route, (label = route.split('/').slice(0, 4).join('/')));
    metrics.countRequest(req.method, label, reply.statusCode);
  });

  let shuttingDown = false;
  app.register(healthRoutes, { etcd, ready: () => isReady, shuttingDown: () => shuttingDown, staleCaches: () => registry.staleCaches() });
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render() + (dispatcher.configure(flowControl.limits()), dispatcher.metrics())));
  app.get('/', async () => ({ paths: rootPaths(registry.table) }));
  // What API Priority and Fairness is doing now, in Kubernetes' text dumps.
  const apfDump = (render: (levels: LevelDump[], details: boolean) => string) => async (req: FastifyRequest, reply: FastifyReply) => {
    dispatcher.configure(flowControl.limits());
    const details = String((req.query as Record<string, unknown>).includeRequestDetails ?? '') !== '';
    return reply.type('text/plain; charset=utf-8').send(render(dispatcher.dump(), details));
  };
  app.get('/debug/api_priority_and_fairness/dump_priority_levels', apfDump(dumpPriorityLevels));
  app.get('/debug/api_priority_and_fairness/dump_queues', apfDump(dumpQueues));
  app.get('/debug/api_priority_and_fairness/dump_requests', apfDump(dumpRequests));
  const advertised = opts.advertiseAddress ? (opts.advertiseAddress.includes(':') ? opts.advertiseAddress : `${opts.advertiseAddress}:${opts.listenPort ?? 8080}`) : undefined;
  const aggregator = new AggregatorProxy(registry, log.child({ component: 'aggregator' }), opts.frontProxy);
  app.register(discoveryRoutes, { serverAddress: () => advertised ?? listenAddress(app), table: registry.table, aggregator });
  app.register(openapiRoutes, { gitVersion: versionInfo().gitVersion, table: registry.table });
  app.register(resourceRoutes, { aggregator, computed: new Map([['componentstatuses', new ComponentStatuses(etcd)]]), registry, bookmarkIntervalMs: opts.bookmarkIntervalMs, shutdown: shutdown.signal, reviews, serviceAccountTokens, maxTokenExpirationSeconds: sa.maxExpirationSeconds, admission, kubelets, proxies });
  const admitConnect: ConnectAdmission = (resource, subresource, namespace, name, options, user) => admission.admitConnect(findResource('', 'v1', resource)!, subresource, namespace, name, options, user);
  serveUpgrades(app.server, registry, proxies, gate, log, admitConnect);

  const conversionWebhooks = new ConversionWebhookCaller(new WebhookClient((namespace, name, port) => serviceEndpoint(registry, namespace, name, port)));
  const crds = new CRDController(registry, log.child({ controller: 'apiextensions' }), (crd, objects, apiVersion) => conversionWebhooks.convert(crd, objects, apiVersion));
  const apiservices = new APIServiceController(registry, aggregator, log.child({ controller: 'apiservices' }));
  let repairer: NodeJS.Timeout | undefined;
  let stopKeepingSystemObjects: (() => void) | undefined;
  let stopKeepingFlowControl: (() => void) | undefined;
  const repairAllocations = async () => {
    try {
      const services = await registry.storeFor(findResource('', 'v1', 'services')!).list({ labels: [], fields: [] });
      const result = await registry.serviceAllocator.repair(services.items.map((i) => i.obj));
      if (result.freed || result.recorded) log.info(result, 'service allocations repaired');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'service allocation repair failed');
    }
  };
  let endpointReconciler: EndpointReconciler | undefined;
  const ready = (async () => {
    const waiting = setInterval(() => log.warn({ etcd: opts.etcdServers }, 'waiting for etcd'), 5000);
    // The routes are compiled while the caches load: the CPU work overlaps etcd's answers.
    const routes = app.ready();
    await registry.ready().finally(() => clearInterval(waiting));
    await registry.bootstrap();
    // With the system namespaces in place the rest is independent, and each part mostly waits
    // on etcd's writes: they go together rather than as seven waits in a row.
    const [advHost, advPort] = (opts.advertiseAddress ?? '').split(':');
    const advertised = { host: advHost || '127.0.0.1', port: Number(advPort) || opts.listenPort || 8080 };
    await Promise.all([
      routes,
      reconcileBootstrapPolicy(registry),
      opts.kubeletBootstrapBindings ? ensureKubeletBootstrapBindings(registry) : undefined,
      ensureSystemPriorityClasses(registry),
      ensureFlowControlBootstrap(registry).then(() => {
        stopKeepingFlowControl = keepFlowControlBootstrap(registry, log);
        return flowControl.start().then(() => {
          dispatcher.configure(flowControl.limits());
          dispatcher.startBorrowing();
        });
      }),
      publishAuthenticationConfig(registry, { clientCaPem: opts.clientCaPem, frontProxy: opts.frontProxy }),
      // Custom resources already defined are served before the server says it is ready; their
      // groups' APIServices come after them.
      crds.start().then(() => apiservices.start()),
      (async () => {
        await ensureKubernetesService(registry, registry.serviceAllocator, advertised);
        stopKeepingSystemObjects = keepSystemObjects(registry, registry.serviceAllocator, advertised, log);
        if (opts.endpointReconciler !== 'none' && publishable(advertised.host)) {
          const instance = `${hostname()}:${opts.listenPort ?? 0}`;
          endpointReconciler = new EndpointReconciler(registry, { ...advertised, instance, leaseSeconds: 15, intervalMs: 10_000, log });
          await endpointReconciler.start();
        }
      })(),
    ]);
    compactor.start();
    repairer = setInterval(() => void repairAllocations(), 3 * 60_000);
    void repairAllocations();
    isReady = true;
  })();
  ready.catch((err) => log.error({ err }, 'apiserver failed to start'));

  const secure: HttpsServer[] = [];
  return {
    app,
    registry,
    etcd,
    ready,
    async listenSecure(tls, host, port) {
      const server = createHttpsServer(
        {
          cert: tls.certPem,
          key: tls.keyPem,
          minVersion: 'TLSv1.2',
          // Ask for a client certificate, but let the gate decide: no certificate may still be a token or anonymous.
          ...(tls.clientCaPem ? { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: false } : {}),
          requestTimeout: opts.limits.requestTimeoutMs,
          headersTimeout: Math.min(60_000, opts.limits.requestTimeoutMs),
          connectionsCheckingInterval: 1000,
        },
        (req, res) => app.routing(req, res),
      );
      server.on('clientError', clientErrorHandler);
      serveUpgrades(server as unknown as HttpServer, registry, proxies, gate, log, admitConnect);
      if (tls.files) {
        let publishedCa = tls.clientCaPem;
        reloadServingTLS({
          files: tls.files,
          current: tls,
          signal: shutdown.signal,
          apply: (next) => {
            server.setSecureContext({ cert: next.certPem ?? tls.certPem, key: next.keyPem ?? tls.keyPem, ...(next.clientCaPem ? { ca: next.clientCaPem } : {}), minVersion: 'TLSv1.2' });
            // Aggregated servers and the components read the client CA from there: a rotated one reaches them too.
            if (next.clientCaPem && next.clientCaPem !== publishedCa) {
              publishedCa = next.clientCaPem;
              publishAuthenticationConfig(registry, { clientCaPem: next.clientCaPem, frontProxy: opts.frontProxy }).catch((err: Error) => log.warn({ err: err.message }, 'the rotated client CA was not published'));
            }
          },
          reloaded: (err) => (err ? log.warn({ err: err.message, files: tls.files }, 'serving certificate or client CA not reloaded; the ones before stay') : log.info({ files: tls.files }, 'serving certificate and client CA reloaded')),
        });
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => (server.off('error', reject), resolve()));
      });
      secure.push(server);
      return server;
    },
    async beginShutdown() {
      // Not ready from now on, and out of the kubernetes Service, while still serving: what is
      // in front of this server (a load balancer, in-cluster clients) moves elsewhere first.
      shuttingDown = true;
      const leaving = endpointReconciler?.stop().catch((err: Error) => log.warn({ err: err.message }, 'leaving the kubernetes endpoints failed'));
      endpointReconciler = undefined;
      // With etcd gone this cannot finish; the Lease then simply expires. Never hold the stop up for it.
      await Promise.race([leaving, new Promise((r) => setTimeout(r, 3000).unref())]);
    },
    async close() {
      await this.beginShutdown();
      shutdown.abort();
      crds.stop();
      apiservices.stop();
      flowControl.stop();
      dispatcher.stop();
      await aggregator.close();
      clearInterval(repairer);
      stopKeepingSystemObjects?.();
      stopKeepingFlowControl?.();
      compactor.stop();
      for (const s of secure) {
        s.close();
        s.closeAllConnections();
      }
      await app.close();
      auditor?.close();
      await kubelets.close().catch(() => undefined);
      await proxies.close().catch(() => undefined);
      await registry.stop();
      etcd.close();
    },
  };
}

/** Every path the server serves at the top level, as Kubernetes lists them at `/`. */
function rootPaths(table: ResourceTable): string[] {
  const gvPaths = table.groupVersions().flatMap((gv) => (gv.group ? [`/apis/${gv.group}`, apiPrefix(gv)] : [apiPrefix(gv)]));
  return [...new Set(['/api', '/apis', ...gvPaths, '/healthz', '/healthz/etcd', '/livez', '/metrics', '/openapi/v3', '/readyz', '/version'])].sort();
}

function listenAddress(app: FastifyInstance): string {
  const addr = app.server.address();
  return addr && typeof addr === 'object' ? `${addr.address}:${addr.port}` : '127.0.0.1:8080';
}
