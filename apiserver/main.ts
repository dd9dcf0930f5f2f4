#!/usr/bin/env node
// kubette apiserver: flags -> build the app -> listen; on SIGTERM stop taking requests, finish
// the ones under way and close etcd.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIPv4 } from 'node:net';
import { parseIPv4 } from '../api/ip.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { defineFlags, FlagError, type FlagValues } from '../component-base/flags.js';
import type { OIDCOptions } from './authn/oidc.js';
import { parseAuthenticationConfig, type AuthenticationConfig } from './authn/authentication-config.js';
import { parseAuthorizationConfig, type AuthorizationConfig } from './authz/authorization-config.js';
import { runComponent } from '../component-base/run.js';
import { AUTHORIZATION_MODES, build, defaultOptions, newServiceAccountKey } from './app.js';
import { TokenFile } from './authn/token-file.js';
import { selfSignedServingCert } from '../component-base/serving-cert.js';
import { parseEncryptionConfig } from './storage/encryption/config.js';
import { DEFAULT_POLICY, parseAuditPolicy } from './audit/policy.js';
import { defaultLimits } from './http/limits.js';
import { ADMISSION_PLUGINS, admissionPlugins, DEFAULT_ADMISSION_PLUGINS } from './admission/admission.js';
import { podSecurityConfigFrom } from './admission/pod-security/config.js';

const flags = defineFlags({
  'etcd-servers': { type: 'list', default: ['http://127.0.0.1:2379'], arg: 'URL,...', help: 'etcd endpoints; requests go round-robin over the healthy ones.' },
  'etcd-cafile': { type: 'string', arg: 'FILE', help: "CA (PEM) that etcd's serving certificate must chain to (https:// endpoints)." },
  'etcd-certfile': { type: 'string', arg: 'FILE', help: 'Client certificate (PEM) presented to etcd.' },
  'etcd-keyfile': { type: 'string', arg: 'FILE', help: 'Its key (PEM).' },
  'etcd-prefix': { type: 'string', default: '/registry', arg: 'PREFIX', help: 'Prefix of every key in etcd.' },
  'etcd-compaction-interval': { type: 'duration', default: '5m0s', help: 'How often etcd history is compacted (0 disables).' },
  'insecure-bind-address': { type: 'ip', default: '127.0.0.1', arg: 'IP', help: 'Address of the plain-HTTP listener: loopback only (it is the unauthenticated local-admin port).' },
  'insecure-port': { type: 'port', default: 8080, arg: 'PORT', help: 'Port of the plain-HTTP local-admin listener (0 turns it off).' },
  'bind-address': { type: 'ip', default: '0.0.0.0', arg: 'IP', help: 'Address of the secure (TLS) listener.' },
  'secure-port': { type: 'port', default: 6443, arg: 'PORT', help: 'Port of the secure listener, with authentication and authorization (0 turns it off).' },
  'tls-cert-file': { type: 'string', arg: 'FILE', help: 'Serving certificate (PEM); without it one is generated (see --cert-dir).' },
  'tls-private-key-file': { type: 'string', arg: 'FILE', help: 'Key of --tls-cert-file (PEM).' },
  'cert-dir': { type: 'string', arg: 'DIR', help: 'Where a generated serving certificate is kept (apiserver.crt, apiserver.key, apiserver-ca.crt); without it, in memory.' },
  'client-ca-file': { type: 'string', arg: 'FILE', help: 'CA whose client certificates authenticate (CN user, O groups).' },
  'token-auth-file': { type: 'string', arg: 'FILE', help: 'Static bearer tokens, CSV: token,user,uid,"group1,group2".' },
  'authentication-config': {
    type: 'string',
    arg: 'FILE',
    help: 'An AuthenticationConfiguration (apiserver.config.k8s.io/v1beta1): JWT issuers with their audiences, claim rules and claim mappings (claims or CEL), and which paths anonymous requests may reach. Not with --oidc-*.',
  },
  'oidc-issuer-url': { type: 'string', arg: 'URL', help: 'An OpenID Connect issuer (https) whose ID tokens authenticate; needs --oidc-client-id.' },
  'oidc-client-id': { type: 'string', arg: 'ID', help: 'The audience OIDC ID tokens must be for.' },
  'oidc-ca-file': { type: 'string', arg: 'FILE', help: "The CA of the issuer's serving certificate (default: the system's roots)." },
  'oidc-username-claim': { type: 'string', default: 'sub', arg: 'CLAIM', help: 'The claim that is the user name.' },
  'oidc-username-prefix': { type: 'string', arg: 'PREFIX', help: "Prefix of OIDC user names (default: the issuer URL and '#', none for email; '-': none)." },
  'oidc-groups-claim': { type: 'string', arg: 'CLAIM', help: "The claim that holds the user's groups (a string or a list)." },
  'oidc-groups-prefix': { type: 'string', arg: 'PREFIX', help: 'Prefix of OIDC group names.' },
  'oidc-signing-algs': { type: 'list', default: ['RS256'], arg: 'ALG,...', help: 'Signing algorithms OIDC tokens may use.' },
  'oidc-required-claim': { type: 'list', default: [], arg: 'KEY=VALUE,...', help: 'Claims an OIDC token must carry with these values (repeat for more).' },
  'authentication-token-webhook-config-file': { type: 'string', arg: 'FILE', help: 'A kubeconfig naming a TokenReview webhook: bearer tokens no other authenticator knows are sent there.' },
  'authentication-token-webhook-version': { type: 'string', default: 'v1beta1', oneOf: ['v1', 'v1beta1'], arg: 'VERSION', help: 'The authentication.k8s.io TokenReview version sent to the webhook.' },
  'authentication-token-webhook-cache-ttl': { type: 'duration', default: '2m0s', help: "How long the webhook's answers are kept." },
  'enable-bootstrap-token-auth': { type: 'bool', help: 'Accept bootstrap tokens (<id>.<secret>) kept as bootstrap-token-<id> Secrets in kube-system, as system:bootstrap:<id> in system:bootstrappers.' },
  'kubelet-bootstrap-bindings': { type: 'bool', help: "Make kubeadm's bindings for kubelet TLS bootstrap at start, where missing: system:bootstrappers may file node CSRs, which the controller-manager approves, as it does nodes' renewals; kube-apiserver-kubelet-client gets the kubelet API." },
  'anonymous-auth': { type: 'bool', default: true, help: 'Treat requests with no credentials as system:anonymous (what RBAC lets it do: health, version, discovery).' },
  'service-account-issuer': { type: 'string', default: defaultOptions.serviceAccounts.issuer, arg: 'URL', help: 'The iss of service-account tokens this server issues and accepts.' },
  'service-account-signing-key-file': { type: 'string', arg: 'FILE', help: 'Private key (PEM, RSA or ECDSA) that signs service-account tokens; without it one is made (kept in --cert-dir as sa.key).' },
  'service-account-key-file': { type: 'list', default: [], arg: 'FILE,...', help: 'More public keys (PEM) whose tokens are accepted.' },
  'api-audiences': { type: 'list', default: [], arg: 'AUD,...', help: 'Audiences a token must name to authenticate (default: the issuer).' },
  'service-account-max-token-expiration': { type: 'duration', default: '0s', help: 'Longest validity a TokenRequest gets (0: as asked).' },
  'encryption-provider-config': { type: 'string', arg: 'FILE', help: 'EncryptionConfiguration (apiserver.config.k8s.io/v1) naming the resources to encrypt at rest and their providers (aescbc, aesgcm, secretbox, identity).' },
  'audit-log-path': { type: 'string', arg: 'FILE', help: 'Append audit events (audit.k8s.io/v1 Event, one JSON line each) here; - for stdout.' },
  'audit-policy-file': { type: 'string', arg: 'FILE', help: 'Audit Policy (audit.k8s.io/v1); default: Metadata for every request, never a Secret body.' },
  'authorization-mode': { type: 'list', default: ['Node', 'RBAC'], arg: 'MODE,...', help: `Authorizers on the secure port, in order: ${AUTHORIZATION_MODES.join(', ')}. Members of system:masters may always act.` },
  'authorization-webhook-config-file': { type: 'string', arg: 'FILE', help: 'A kubeconfig naming the SubjectAccessReview webhook of --authorization-mode Webhook.' },
  'authorization-webhook-version': { type: 'string', default: 'v1beta1', oneOf: ['v1', 'v1beta1'], arg: 'VERSION', help: 'The authorization.k8s.io SubjectAccessReview version sent to the webhook.' },
  'authorization-webhook-cache-authorized-ttl': { type: 'duration', default: '5m0s', help: "How long the webhook's 'authorized' answers are kept." },
  'authorization-webhook-cache-unauthorized-ttl': { type: 'duration', default: '30s', help: "How long the webhook's other answers are kept." },
  'authorization-config': {
    type: 'string',
    arg: 'FILE',
    help: 'An AuthorizationConfiguration (apiserver.config.k8s.io/v1): the authorizers in order (AlwaysAllow, AlwaysDeny, Node, RBAC, Webhooks with match conditions and failure policies), read again when it changes. Not with --authorization-mode or --authorization-webhook-*.',
  },
  'advertise-address': { type: 'string', arg: 'IP[:PORT]', help: "The address pods and clients are told to use: discovery's serverAddress and the kubernetes Service's endpoint (port: the secure port). Loopback gives that Service no endpoint." },
  'shutdown-delay-duration': { type: 'duration', default: '0s', help: 'After SIGTERM, keep serving this long while /readyz already fails (shutdown), so load balancers stop sending requests first.' },
  'endpoint-reconciler-type': { type: 'string', default: 'lease', arg: 'TYPE', help: "lease: each apiserver holds a Lease in kube-system and the kubernetes Service's endpoints are the apiservers whose Leases are current; none: they are left alone." },
  'kubelet-client-certificate': { type: 'string', arg: 'FILE', help: 'Client certificate (PEM) presented to kubelets (logs, exec).' },
  'kubelet-client-key': { type: 'string', arg: 'FILE', help: 'Its key (PEM).' },
  'proxy-client-cert-file': { type: 'string', arg: 'FILE', help: 'Client certificate (PEM) the apiserver presents to aggregated API servers (service-backed APIServices), vouching for the X-Remote-* headers.' },
  'proxy-client-key-file': { type: 'string', arg: 'FILE', help: 'Its key (PEM).' },
  'requestheader-client-ca-file': { type: 'string', arg: 'FILE', help: "CA of --proxy-client-cert-file, published in kube-system/extension-apiserver-authentication for aggregated servers." },
  'requestheader-allowed-names': { type: 'list', default: [], arg: 'NAME,...', help: 'Front-proxy certificate names aggregated servers should accept (empty: any the CA signed).' },
  'requestheader-username-headers': { type: 'list', default: ['X-Remote-User'], arg: 'HEADER,...', help: 'Headers carrying the user name to aggregated servers.' },
  'requestheader-group-headers': { type: 'list', default: ['X-Remote-Group'], arg: 'HEADER,...', help: 'Headers carrying the groups.' },
  'requestheader-extra-headers-prefix': { type: 'list', default: ['X-Remote-Extra-'], arg: 'PREFIX,...', help: 'Prefixes of headers carrying extra user information.' },
  'kubelet-certificate-authority': { type: 'string', arg: 'FILE', help: "CA that kubelets' serving certificates must chain to; without it they are not verified." },
  'enable-admission-plugins': { type: 'list', default: [], arg: 'NAME,...', help: `Admission plugins to turn on besides the default ones (${DEFAULT_ADMISSION_PLUGINS.join(', ')}). Known: ${ADMISSION_PLUGINS.join(', ')}.` },
  'admission-control-config-file': { type: 'string', arg: 'FILE', help: "An AdmissionConfiguration (apiserver.config.k8s.io/v1) with the plugins' configurations: PodSecurity's defaults and exemptions." },
  'disable-admission-plugins': { type: 'list', default: [], arg: 'NAME,...', help: 'Admission plugins to turn off (e.g. ServiceAccount where no controller-manager makes default service accounts).' },
  'default-watch-cache-size': { type: 'int', default: defaultOptions.watchCacheSize, min: 1, arg: 'N', help: 'Events kept per resource for watches to resume from.' },
  'event-ttl': { type: 'duration', default: '1h0m0s', help: 'How long Events are kept after their last write (0 keeps them until deleted).' },
  'watch-bookmark-interval': { type: 'duration', default: '1m0s', help: 'How often watches that allow bookmarks receive one.' },
  'default-not-ready-toleration-seconds': { type: 'int', default: 300, min: 0, arg: 'N', help: 'tolerationSeconds of the default not-ready toleration added to pods.' },
  'default-unreachable-toleration-seconds': { type: 'int', default: 300, min: 0, arg: 'N', help: 'tolerationSeconds of the default unreachable toleration added to pods.' },
  'service-cluster-ip-range': { type: 'cidr', default: '10.96.0.0/12', arg: 'CIDR', help: 'CIDR Services get their cluster IPs from (the first one is the kubernetes Service).' },
  'service-node-port-range': { type: 'string', default: '30000-32767', arg: 'LOW-HIGH', help: 'Ports NodePort and LoadBalancer Services get their node ports from.' },
  'request-timeout': { type: 'duration', default: '1m0s', help: 'Deadline for a request to arrive and for non-long-running handlers to answer (504 after).' },
  'max-requests-inflight': { type: 'int', default: defaultLimits.maxRequestsInflight, min: 1, arg: 'N', help: 'With --max-mutating-requests-inflight, the seats API Priority and Fairness shares among priority levels.' },
  'max-mutating-requests-inflight': { type: 'int', default: defaultLimits.maxMutatingRequestsInflight, min: 1, arg: 'N', help: 'Added to --max-requests-inflight: the server\'s seats for API Priority and Fairness.' },
});

/** Whether `flag` was set on the command line (its default counts as not given). */
function givenOnCommandLine(flag: string): boolean {
  return process.argv.some((a) => a === flag || a.startsWith(`${flag}=`));
}

runComponent({
  command: 'kubette-apiserver',
  component: 'apiserver',
  flags,
  // The shutdown delay, then requests under way finishing.
  drainMs: (f) => f['shutdown-delay-duration'] + 10_000,
  validate: (f) => {
    const ip = parseIPv4(f['insecure-bind-address']);
    if (f['insecure-port'] && (ip === undefined || ip >>> 24 !== 127)) throw new FlagError(`--insecure-bind-address must be a loopback address (it serves unauthenticated local administration), got ${f['insecure-bind-address']}`);
    if (!!f['tls-cert-file'] !== !!f['tls-private-key-file']) throw new FlagError('--tls-cert-file and --tls-private-key-file go together');
    if (!!f['etcd-certfile'] !== !!f['etcd-keyfile']) throw new FlagError('--etcd-certfile and --etcd-keyfile go together');
    if (!!f['kubelet-client-certificate'] !== !!f['kubelet-client-key']) throw new FlagError('--kubelet-client-certificate and --kubelet-client-key go together');
    if (!!f['proxy-client-cert-file'] !== !!f['proxy-client-key-file']) throw new FlagError('--proxy-client-cert-file and --proxy-client-key-file go together');
    for (const m of f['authorization-mode']) if (!AUTHORIZATION_MODES.includes(m)) throw new FlagError(`--authorization-mode: unsupported mode ${m} (supported: ${AUTHORIZATION_MODES.join(', ')})`);
    if (f['authorization-config']) {
      const legacy = ['--authorization-mode', '--authorization-webhook-config-file', '--authorization-webhook-version', '--authorization-webhook-cache-authorized-ttl', '--authorization-webhook-cache-unauthorized-ttl'];
      if (legacy.some(givenOnCommandLine)) {
        throw new FlagError('--authorization-config can not be specified when --authorization-mode or --authorization-webhook-* flags are specified');
      }
    } else {
      if (f['authorization-mode'].includes('Webhook') && !f['authorization-webhook-config-file']) throw new FlagError("authorization-mode Webhook's authorization config file not passed");
      if (f['authorization-webhook-config-file'] && !f['authorization-mode'].includes('Webhook')) throw new FlagError('cannot specify --authorization-webhook-config-file without mode Webhook');
    }
    if (!f['insecure-port'] && !f['secure-port']) throw new FlagError('--insecure-port and --secure-port cannot both be 0');
    if (f['authentication-config'] && f['oidc-issuer-url']) throw new FlagError('--authentication-config and --oidc-* flags are mutually exclusive');
    try {
      admissionPlugins(f['enable-admission-plugins'], f['disable-admission-plugins']);
      podSecurityConfigFrom(f['admission-control-config-file']);
    } catch (err) {
      throw new FlagError((err as Error).message);
    }
  },
  async run({ flags: f, log, signal }) {
    const webhookClientConfig = (file: string) => {
      try {
        return loadClientConfig({ kubeconfig: file });
      } catch (err) {
        throw new FlagError(`--authentication-token-webhook-config-file: ${(err as Error).message}`);
      }
    };
    const host = f['insecure-bind-address'];
    const port = f['insecure-port'];
    const read = (file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new FlagError(`cannot read ${file}: ${(err as Error).message}`);
      }
    };
    // As in Kubernetes: with AlwaysAllow, anyone without credentials could do anything, so
    // anonymous requests are turned off rather than let through.
    const authnText = f['authentication-config'] ? read(f['authentication-config']) : undefined;
    const authnConfig = authnText !== undefined ? { text: authnText, config: await authenticationConfig(authnText, f['authentication-config']!, f['service-account-issuer']) } : undefined;
    let anonymousAuth: boolean | { paths: string[] } = f['anonymous-auth'];
    if (authnConfig?.config.anonymous) {
      if (givenOnCommandLine('--anonymous-auth')) {
        throw new FlagError('--anonymous-auth cannot be set when anonymous is configured in the --authentication-config file');
      }
      const { enabled, paths } = authnConfig.config.anonymous;
      anonymousAuth = enabled && (paths ? { paths } : true);
    }
    const authzText = f['authorization-config'] ? read(f['authorization-config']) : undefined;
    let authzConfig: AuthorizationConfig | undefined;
    if (authzText !== undefined) {
      try {
        authzConfig = await parseAuthorizationConfig(authzText);
      } catch (err) {
        throw new FlagError(`--authorization-config ${f['authorization-config']}: ${(err as Error).message}`);
      }
    }
    const authorizerTypes: string[] = authzConfig ? authzConfig.authorizers.map((a) => a.type) : f['authorization-mode'];
    if (anonymousAuth && authorizerTypes.includes('AlwaysAllow')) {
      log.warn('AnonymousAuth is not allowed with the AlwaysAllow authorizer. Resetting AnonymousAuth to false. You should use a different authorizer');
      anonymousAuth = false;
    }
    const server = build({
      etcdServers: f['etcd-servers'],
      etcdPrefix: f['etcd-prefix'].replace(/\/+$/, ''),
      etcdTLS: {
        caPem: f['etcd-cafile'] ? read(f['etcd-cafile']) : undefined,
        certPem: f['etcd-certfile'] ? read(f['etcd-certfile']) : undefined,
        keyPem: f['etcd-keyfile'] ? read(f['etcd-keyfile']) : undefined,
      },
      etcdCompactionIntervalMs: f['etcd-compaction-interval'],
      watchCacheSize: f['default-watch-cache-size'],
      eventTTLMs: f['event-ttl'],
      bookmarkIntervalMs: f['watch-bookmark-interval'],
      defaultNotReadyTolerationSeconds: f['default-not-ready-toleration-seconds'],
      defaultUnreachableTolerationSeconds: f['default-unreachable-toleration-seconds'],
      advertiseAddress: f['advertise-address'],
      endpointReconciler: endpointReconcilerType(f['endpoint-reconciler-type']),
      serviceClusterIPRange: f['service-cluster-ip-range'],
      serviceNodePortRange: f['service-node-port-range'],
      listenPort: f['secure-port'] || port,
      limits: {
        ...defaultLimits,
        requestTimeoutMs: f['request-timeout'],
        maxRequestsInflight: f['max-requests-inflight'],
        maxMutatingRequestsInflight: f['max-mutating-requests-inflight'],
      },
      logger: log,
      anonymousAuth,
      tokenFile: f['token-auth-file'] ? new TokenFile(read(f['token-auth-file'])) : undefined,
      jwt: authnConfig ? authnConfig.config.jwt : [oidcOptions(f, read)].filter((o) => o !== undefined),
      ...(authnConfig ? { authenticationConfig: { file: f['authentication-config']!, text: authnConfig.text } } : {}),
      tokenWebhook: f['authentication-token-webhook-config-file']
        ? {
            client: webhookClientConfig(f['authentication-token-webhook-config-file']),
            version: f['authentication-token-webhook-version'] as 'v1' | 'v1beta1',
            cacheTTLMs: f['authentication-token-webhook-cache-ttl'],
            onError: (err: Error) => log.warn({ err: err.message }, 'token webhook failed'),
          }
        : undefined,
      bootstrapTokenAuth: f['enable-bootstrap-token-auth'],
      kubeletBootstrapBindings: f['kubelet-bootstrap-bindings'],
      authorizationModes: f['authorization-mode'],
      ...(authzConfig ? { authorizationConfig: { file: f['authorization-config']!, text: authzText!, config: authzConfig } } : {}),
      ...(f['authorization-webhook-config-file']
        ? {
            authorizationWebhook: {
              kubeConfigFile: f['authorization-webhook-config-file'],
              version: f['authorization-webhook-version'] as 'v1' | 'v1beta1',
              authorizedTTLMs: f['authorization-webhook-cache-authorized-ttl'],
              unauthorizedTTLMs: f['authorization-webhook-cache-unauthorized-ttl'],
            },
          }
        : {}),
      kubeletClient: {
        certPem: f['kubelet-client-certificate'] ? read(f['kubelet-client-certificate']) : undefined,
        keyPem: f['kubelet-client-key'] ? read(f['kubelet-client-key']) : undefined,
        caPem: f['kubelet-certificate-authority'] ? read(f['kubelet-certificate-authority']) : undefined,
      },
      admissionPlugins: admissionPlugins(f['enable-admission-plugins'], f['disable-admission-plugins']),
      podSecurity: podSecurityConfigFrom(f['admission-control-config-file']),
      clientCaPem: f['client-ca-file'] ? read(f['client-ca-file']) : undefined,
      frontProxy: f['proxy-client-cert-file']
        ? {
            certPem: read(f['proxy-client-cert-file']),
            keyPem: read(f['proxy-client-key-file']!),
            requestHeaderCaPem: f['requestheader-client-ca-file'] ? read(f['requestheader-client-ca-file']) : undefined,
            allowedNames: f['requestheader-allowed-names'],
            usernameHeaders: f['requestheader-username-headers'],
            groupHeaders: f['requestheader-group-headers'],
            extraHeadersPrefix: f['requestheader-extra-headers-prefix'],
          }
        : undefined,
      audit: f['audit-log-path'] ? { path: f['audit-log-path'], policy: f['audit-policy-file'] ? auditPolicy(read(f['audit-policy-file']), f['audit-policy-file']) : DEFAULT_POLICY } : undefined,
      encryption: f['encryption-provider-config'] ? encryptionConfig(read(f['encryption-provider-config']), f['encryption-provider-config']) : undefined,
      serviceAccounts: {
        signingKeyPem: f['service-account-signing-key-file'] ? read(f['service-account-signing-key-file']) : generatedSigningKey(f['cert-dir']),
        publicKeyPems: f['service-account-key-file'].map(read),
        issuer: f['service-account-issuer'],
        audiences: f['api-audiences'].length ? f['api-audiences'] : [f['service-account-issuer']],
        maxExpirationSeconds: Math.floor(f['service-account-max-token-expiration'] / 1000),
      },
    });
    try {
      await server.ready;
    } catch (err) {
      await server.close();
      throw err;
    }
    if (signal.aborted) return server.close();
    if (port) {
      await server.app.listen({ host, port });
      log.info({ address: `http://${host}:${port}` }, 'apiserver listening (local admin, no authentication)');
    } else {
      await server.app.ready();
    }
    const securePort = f['secure-port'];
    if (securePort) {
      const bind = f['bind-address'];
      let tls: { certPem: string; keyPem: string };
      if (f['tls-cert-file']) {
        tls = { certPem: read(f['tls-cert-file']), keyPem: read(f['tls-private-key-file']!) };
      } else {
        const advertised = (f['advertise-address'] ?? '').split(':')[0] ?? '';
        const ips = ['127.0.0.1', ...(isIPv4(bind) && bind !== '0.0.0.0' ? [bind] : []), ...(isIPv4(advertised) ? [advertised] : [])];
        const hosts = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...(advertised && !isIPv4(advertised) ? [advertised] : [])];
        tls = await selfSignedServingCert({ certDir: f['cert-dir'], name: 'apiserver', commonName: 'kube-apiserver', hosts, ips: [...new Set([...ips, server.registry.serviceAllocator.apiserverServiceIP])] });
      }
      const files = { ...(f['tls-cert-file'] ? { cert: f['tls-cert-file'], key: f['tls-private-key-file']! } : {}), ...(f['client-ca-file'] ? { clientCa: f['client-ca-file'] } : {}) };
      await server.listenSecure({ ...tls, clientCaPem: f['client-ca-file'] ? read(f['client-ca-file']) : undefined, files }, bind, securePort);
      log.info({ address: `https://${bind}:${securePort}` }, 'apiserver listening (TLS)');
    }
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    // As Kubernetes: not ready at once, still serving for --shutdown-delay-duration (so load
    // balancers take this server out), then no new requests, watches ended, the rest finished.
    await server.beginShutdown();
    const delay = f['shutdown-delay-duration'];
    if (delay > 0) {
      log.info({ delayMs: delay }, 'not ready; serving until the shutdown delay ends');
      await new Promise((r) => setTimeout(r, delay));
    }
    await server.close();
  },
});

/** The made-up signing key: kept in the cert dir so tokens outlive a restart; in memory without one. */
function generatedSigningKey(certDir: string | undefined): string {
  if (!certDir) return newServiceAccountKey();
  const file = join(certDir, 'sa.key');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const pem = newServiceAccountKey();
  writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}

function encryptionConfig(text: string, file: string) {
  try {
    return parseEncryptionConfig(text);
  } catch (err) {
    throw new FlagError(`--encryption-provider-config ${file}: ${(err as Error).message}`);
  }
}

function auditPolicy(text: string, file: string) {
  try {
    return parseAuditPolicy(text);
  } catch (err) {
    throw new FlagError(`--audit-policy-file ${file}: ${(err as Error).message}`);
  }
}

/** --oidc-*: none without an issuer; an issuer needs a client ID and an https URL, as in Kubernetes. */
function oidcOptions(f: FlagValues<typeof flags>, read: (file: string) => string): OIDCOptions | undefined {
  const issuerURL = f['oidc-issuer-url'];
  if (!issuerURL) return undefined;
  if (!f['oidc-client-id']) throw new FlagError('--oidc-client-id is required with --oidc-issuer-url');
  if (!issuerURL.startsWith('https://')) throw new FlagError(`--oidc-issuer-url ${issuerURL}: the issuer URL must use https`);
  const requiredClaims: Record<string, string> = {};
  for (const pair of f['oidc-required-claim']) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FlagError(`--oidc-required-claim ${pair}: not KEY=VALUE`);
    requiredClaims[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const usernameClaim = f['oidc-username-claim'];
  const prefix = f['oidc-username-prefix'];
  return {
    issuerURL,
    audiences: [f['oidc-client-id']],
    caPem: f['oidc-ca-file'] ? read(f['oidc-ca-file']) : undefined,
    // Unset: the issuer and '#' for claims other than email; '-': none.
    username: { claim: usernameClaim, prefix: prefix === undefined ? (usernameClaim === 'email' ? '' : `${issuerURL}#`) : prefix === '-' ? '' : prefix },
    ...(f['oidc-groups-claim'] ? { groups: { claim: f['oidc-groups-claim'], prefix: f['oidc-groups-prefix'] ?? '' } } : {}),
    signingAlgs: f['oidc-signing-algs'],
    claimValidationRules: Object.entries(requiredClaims).map(([claim, requiredValue]) => ({ claim, requiredValue })),
    extra: [],
    userValidationRules: [],
  };
}

/** --authentication-config, checked; the service-account issuer is not an issuer it may name. */
async function authenticationConfig(text: string, file: string, serviceAccountIssuer: string): Promise<AuthenticationConfig> {
  try {
    return await parseAuthenticationConfig(text, [serviceAccountIssuer]);
  } catch (err) {
    throw new FlagError(`--authentication-config ${file}: ${(err as Error).message}`);
  }
}

function endpointReconcilerType(value: string): 'lease' | 'none' {
  if (value === 'lease' || value === 'none') return value;
  throw new FlagError(`--endpoint-reconciler-type: unsupported type ${value} (supported: lease, none)`);
}
