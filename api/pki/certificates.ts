// X.509 for the cluster (pure: keys, certificates and requests in, PEM text out; no files): a
// CA, server and client certificates signed by it, certificate signing requests as a kubelet
// makes them, and signing a request as the CSR signer does. Keys are ECDSA P-256, as
// Kubernetes' kubelets use for their own. Built on @peculiar/x509 (well kept, WebCrypto-based,
// parses and writes every structure we need); it needs the reflect-metadata polyfill. It is
// loaded on first use: about 19 MB resident that a component which never reads or issues a
// certificate (the scheduler, most of the time the others) does not pay.
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const requireModule = createRequire(import.meta.url);
let loaded: typeof X509 | undefined;

function x509(): typeof X509 {
  if (!loaded) {
    requireModule('reflect-metadata');
    const lib = requireModule('@peculiar/x509') as typeof X509;
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    loaded = lib;
  }
  return loaded;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Subject {
  commonName: string;
  /** O= entries: a client certificate's groups. */
  organizations?: string[];
}

/** A certificate with its private key, both PEM. */
export interface Issued {
  certPem: string;
  keyPem: string;
}

export type Usage = 'server' | 'client';

export interface IssueOptions {
  usages: Usage[];
  /** Subject alternative names (servers). */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Validity from now (default 365 days); an explicit `notBefore` starts it there instead. */
  days?: number;
  notBefore?: Date;
}

/** RFC 4514 escaping of an attribute value (commas, pluses and the like in names). */
function escapeValue(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

function distinguishedName(s: Subject): string {
  return [`CN=${escapeValue(s.commonName)}`, ...(s.organizations ?? []).map((o) => `O=${escapeValue(o)}`)].join(', ');
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509().PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509().PemConverter.decodeFirst(pem), ALGORITHM, true, ['sign']);
}

function serialNumber(): string {
  // 16 random bytes, first bit clear so the DER integer stays positive.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0]! &= 0x7f;
  return Buffer.from(b).toString('hex');
}

/** Valid from an hour ago (clock skew) for `days` from now; an explicit notBefore counts from itself. */
function validity(opts: { days?: number; notBefore?: Date }): { notBefore: Date; notAfter: Date } {
  const duration = (opts.days ?? 365) * DAY_MS;
  if (opts.notBefore) return { notBefore: opts.notBefore, notAfter: new Date(opts.notBefore.getTime() + duration) };
  return { notBefore: new Date(Date.now() - 60 * 60 * 1000), notAfter: new Date(Date.now() + duration) };
}

/** A self-signed certificate authority. */
export async function createCA(commonName: string, days = 3650): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509().X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName({ commonName }),
    ...validity({ days }),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new (x509().BasicConstraintsExtension)(true, undefined, true),
      new (x509().KeyUsagesExtension)(x509().KeyUsageFlags.keyCertSign | x509().KeyUsageFlags.cRLSign | x509().KeyUsageFlags.digitalSignature, true),
      await x509().SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

async function extensionsFor(ca: X509.X509Certificate, publicKey: CryptoKey | X509.PublicKey, opts: IssueOptions): Promise<X509.Extension[]> {
  const ekus = opts.usages.map((u) => (u === 'server' ? x509().ExtendedKeyUsage.serverAuth : x509().ExtendedKeyUsage.clientAuth));
  const names = [...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  return [
    new (x509().BasicConstraintsExtension)(false, undefined, true),
    new (x509().KeyUsagesExtension)(x509().KeyUsageFlags.digitalSignature | x509().KeyUsageFlags.keyEncipherment, true),
    new (x509().ExtendedKeyUsageExtension)(ekus),
    await x509().AuthorityKeyIdentifierExtension.create(ca, false),
    ...(names.length ? [new (x509().SubjectAlternativeNameExtension)(names)] : []),
  ];
}

/** A certificate for `subject` with a new key, signed by `ca`. */
export async function issue(ca: Issued, subject: Subject, opts: IssueOptions): Promise<Issued> {
  const keys = await keyPair();
  const caCert = new (x509().X509Certificate)(ca.certPem);
  const cert = await x509().X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(subject),
    issuer: caCert.subject,
    ...validity(opts),
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.keyPem),
    signingAlgorithm: SIGNING,
    extensions: await extensionsFor(caCert, keys.publicKey, opts),
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A PKCS#10 request for `subject` with a new key, as a bootstrapping kubelet makes it. */
export async function createCSR(subject: Subject): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await keyPair();
  const csr = await x509().Pkcs10CertificateRequestGenerator.create({ name: distinguishedName(subject), keys, signingAlgorithm: SIGNING });
  return { csrPem: csr.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export interface ParsedCSR {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** The request's signature checks out against its own key. */
  signatureValid: boolean;
}

/** The subject and names of a PEM request, without checking its signature; throws on anything that is not one. */
export function readCSR(pem: string): Omit<ParsedCSR, 'signatureValid'> {
  const csr = new (x509().Pkcs10CertificateRequest)(pem);
  const name = csr.subjectName;
  const san = csr.extensions.find((e): e is X509.SubjectAlternativeNameExtension => e instanceof x509().SubjectAlternativeNameExtension);
  return {
    commonName: name.getField('CN')[0] ?? '',
    organizations: name.getField('O'),
    dnsNames: san?.names.items.filter((n) => n.type === 'dns').map((n) => n.value) ?? [],
    ipAddresses: san?.names.items.filter((n) => n.type === 'ip').map((n) => n.value) ?? [],
  };
}

/** Reads a PEM request; throws on anything that is not one. */
export async function parseCSR(pem: string): Promise<ParsedCSR> {
  const names = readCSR(pem);
  return { ...names, signatureValid: await new (x509().Pkcs10CertificateRequest)(pem).verify() };
}

/** Issues a certificate for a request's key and subject (the CSR signer's job); the caller has checked the request. */
export async function signCSR(ca: Issued, csrPem: string, opts: IssueOptions): Promise<string> {
  const csr = new (x509().Pkcs10CertificateRequest)(csrPem);
  const caCert = new (x509().X509Certificate)(ca.certPem);
  const publicKey = await csr.publicKey.export();
  const cert = await x509().X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: csr.subject,
    issuer: caCert.subject,
    ...validity(opts),
    publicKey,
    signingKey: await importPrivateKey(ca.keyPem),
    signingAlgorithm: SIGNING,
    extensions: await extensionsFor(caCert, publicKey, opts),
  });
  return cert.toString('pem');
}

/** The user a client certificate names: CN is the user, each O a group (as Kubernetes reads them). */
export function certificateUser(certPem: string): { name: string; groups: string[] } {
  const name = new (x509().X509Certificate)(certPem).subjectName;
  return { name: name.getField('CN')[0] ?? '', groups: name.getField('O') };
}
