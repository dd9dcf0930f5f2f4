// X.509 for the cluster (pure: keys, certificates and requests in, PEM text out; no files): a
// CA, server and client certificates signed by it, certificate signing requests as a kubelet
// makes them, and signing a request as the CSR signer does. New keys are ECDSA P-256, as
// Kubernetes' kubelets use for their own; a CA key may also be RSA or Ed25519 (kubeadm's CAs
// are RSA), and a request may carry any of the three.
//
// Built on node:crypto (keys, signatures) and the few DER structures in ./der.ts. A general
// X.509 library did this before and cost ~0.2 s of CPU and ~19 MB to load in every process
// that touched a certificate: both kubelets, the CSR signer and the apiserver's CSR validation,
// all of them while a cluster starts (BENCHMARKS.md, compose cold start).
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { formatIPBytes, ipBytes } from '../ip.js';
import {
  bitString,
  boolean,
  children,
  contents,
  contextTag,
  DERError,
  expectTag,
  explicit,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  pem,
  pemBlock,
  readBitString,
  readOID,
  readString,
  root,
  sequence,
  set,
  TAG,
  time,
  tlv,
  utf8String,
  whole,
  type Element,
} from './der.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ed25519: '1.3.101.112',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** The digest each signature algorithm a request may use signs with (null: Ed25519 signs the message itself). */
const SIGNATURE_DIGEST: Readonly<Record<string, string | null>> = {
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
  [OID.ed25519]: null,
};

/** keyUsage bits (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

// SAN entries (GeneralName, RFC 5280 4.2.1.6): context tags of primitive values.
const SAN_EMAIL = contextTag(1, false);
const SAN_DNS = contextTag(2, false);
const SAN_URI = contextTag(6, false);
const SAN_IP = contextTag(7, false);

const DAY_MS = 24 * 60 * 60 * 1000;
const generateKeyPairAsync = promisify(generateKeyPair);

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

async function newKey(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
}

const keyPem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const spkiOf = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/** The key bits of a SubjectPublicKeyInfo, which a key identifier is the SHA-1 of (RFC 5280 4.2.1.2, method 1). */
function keyIdentifier(spki: Buffer): Buffer {
  const parts = children(spki, expectTag(root(spki), TAG.SEQUENCE, 'a public key'));
  return createHash('sha1').update(readBitString(spki, parts[1]!)).digest();
}

/** The algorithm a key signs certificates with, and the digest it uses. */
function signatureAlgorithm(key: KeyObject): { id: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { id: sequence(oid(OID.ecdsaWithSHA384)), digest: 'sha384' };
      if (curve === 'secp521r1') return { id: sequence(oid(OID.ecdsaWithSHA512)), digest: 'sha512' };
      return { id: sequence(oid(OID.ecdsaWithSHA256)), digest: 'sha256' };
    }
    case 'rsa':
      return { id: sequence(oid(OID.sha256WithRSA), nullValue()), digest: 'sha256' };
    case 'ed25519':
      return { id: sequence(oid(OID.ed25519)), digest: null };
    default:
      throw new Error(`cannot sign with a ${key.asymmetricKeyType ?? 'secret'} key`);
  }
}

/** A signed structure: the signed part, its algorithm, the signature. */
function signed(body: Buffer, key: KeyObject, alg = signatureAlgorithm(key)): Buffer {
  return sequence(body, alg.id, bitString(sign(alg.digest, body, key)));
}

function nameDER(s: Subject): Buffer {
  return sequence(
    set(sequence(oid(OID.commonName), utf8String(s.commonName))),
    ...(s.organizations ?? []).map((o) => set(sequence(oid(OID.organization), utf8String(o)))),
  );
}

/** CN and O of a Name; as Go reads one (which Kubernetes does), the last CN wins. */
function readName(buf: Buffer, name: Element): { commonName: string; organizations: string[] } {
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of children(buf, expectTag(name, TAG.SEQUENCE, 'a name'))) {
    for (const attr of children(buf, expectTag(rdn, TAG.SET, 'a relative name'))) {
      const [type, value] = children(buf, expectTag(attr, TAG.SEQUENCE, 'a name attribute'));
      if (!type || !value) throw new DERError('bad name attribute');
      const id = readOID(buf, type);
      if (id === OID.commonName) commonName = readString(buf, value);
      else if (id === OID.organization) organizations.push(readString(buf, value));
    }
  }
  return { commonName, organizations };
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** The extensions of a certificate or request: [OID, value element] pairs. */
function readExtensions(buf: Buffer, list: Element): Array<{ id: string; value: Element }> {
  return children(buf, expectTag(list, TAG.SEQUENCE, 'extensions')).map((ext) => {
    const parts = children(buf, expectTag(ext, TAG.SEQUENCE, 'an extension'));
    const value = parts[parts.length - 1];
    if (parts.length < 2 || parts.length > 3) throw new DERError('bad extension');
    return { id: readOID(buf, parts[0]!), value: expectTag(value, TAG.OCTET_STRING, 'an extension value') };
  });
}

interface AltNames {
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

function readAltNames(buf: Buffer, value: Element): AltNames {
  const inner = contents(buf, value);
  const names: AltNames = { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [] };
  for (const n of children(inner, expectTag(root(inner), TAG.SEQUENCE, 'alternative names'))) {
    const bytes = contents(inner, n);
    if (n.tag === SAN_DNS) names.dnsNames.push(bytes.toString('ascii'));
    else if (n.tag === SAN_IP) {
      if (bytes.length !== 4 && bytes.length !== 16) throw new DERError('bad IP address name');
      names.ipAddresses.push(formatIPBytes(bytes));
    } else if (n.tag === SAN_EMAIL) names.emailAddresses.push(bytes.toString('ascii'));
    else if (n.tag === SAN_URI) names.uris.push(bytes.toString('ascii'));
  }
  return names;
}

function altNamesDER(dnsNames: string[], ipAddresses: string[]): Buffer {
  return sequence(
    ...dnsNames.map((d) => tlv(SAN_DNS, Buffer.from(d, 'ascii'))),
    ...ipAddresses.map((ip) => {
      const bytes = ipBytes(ip);
      if (!bytes) throw new Error(`not an IP address: ${ip}`);
      return tlv(SAN_IP, bytes);
    }),
  );
}

/** The subject, public key and extensions of a certificate (DER). */
function certificateFields(der: Buffer): { subject: Element; spki: Element; extensions?: Element } {
  const tbs = children(der, expectTag(children(der, root(der))[0], TAG.SEQUENCE, 'a certificate'));
  const offset = tbs[0]?.tag === contextTag(0, true) ? 1 : 0; // the version is optional
  const exts = tbs.find((e) => e.tag === contextTag(3, true));
  return {
    subject: expectTag(tbs[offset + 4], TAG.SEQUENCE, 'a subject'),
    spki: expectTag(tbs[offset + 5], TAG.SEQUENCE, 'a public key'),
    ...(exts ? { extensions: children(der, exts)[0] } : {}),
  };
}

/** What a certificate being issued needs to know of its CA: its subject, key identifier and signing key. */
interface Authority {
  subject: Buffer;
  keyId: Buffer;
  key: KeyObject;
}

function authority(ca: Issued): Authority {
  const der = new X509Certificate(ca.certPem).raw;
  const fields = certificateFields(der);
  const ski = fields.extensions && readExtensions(der, fields.extensions).find((e) => e.id === OID.subjectKeyIdentifier);
  let keyId: Buffer;
  if (ski) {
    // The CA's own identifier when it has one (the certificates' must match it)...
    const value = contents(der, ski.value);
    keyId = Buffer.from(contents(value, expectTag(root(value), TAG.OCTET_STRING, 'a key identifier')));
  } else {
    // ...else the one RFC 5280 derives from its key.
    keyId = keyIdentifier(whole(der, fields.spki));
  }
  return { subject: Buffer.from(whole(der, fields.subject)), keyId, key: createPrivateKey(ca.keyPem) };
}

function serialNumber(): Buffer {
  // 16 random bytes, positive and of full length.
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b;
}

/** Valid from an hour ago (clock skew) for `days` from now; an explicit notBefore counts from itself. */
function validity(opts: { days?: number; notBefore?: Date }): Buffer {
  const duration = (opts.days ?? 365) * DAY_MS;
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date((opts.notBefore ? notBefore.getTime() : Date.now()) + duration);
  return sequence(time(notBefore), time(notAfter));
}

function certificatePem(issuer: Buffer, subject: Buffer, spki: Buffer, validityDER: Buffer, extensions: Buffer[], signingKey: KeyObject): string {
  // The algorithm is named twice: inside the signed part and beside the signature.
  const alg = signatureAlgorithm(signingKey);
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serialNumber()),
    alg.id,
    issuer,
    validityDER,
    subject,
    spki,
    explicit(3, sequence(...extensions)),
  );
  return pem('CERTIFICATE', signed(tbs, signingKey, alg));
}

function leafExtensions(ca: Authority, opts: IssueOptions): Buffer[] {
  const ekus = opts.usages.map((u) => oid(u === 'server' ? OID.serverAuth : OID.clientAuth));
  const dns = opts.dnsNames ?? [];
  const ips = opts.ipAddresses ?? [];
  return [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment])),
    extension(OID.extKeyUsage, false, sequence(...ekus)),
    extension(OID.authorityKeyIdentifier, false, sequence(tlv(contextTag(0, false), ca.keyId))),
    ...(dns.length || ips.length ? [extension(OID.subjectAltName, false, altNamesDER(dns, ips))] : []),
  ];
}

/** A self-signed certificate authority. */
export async function createCA(commonName: string, days = 3650): Promise<Issued> {
  const { publicKey, privateKey } = await newKey();
  const spki = spkiOf(publicKey);
  const name = nameDER({ commonName });
  const certPem = certificatePem(name, name, spki, validity({ days }), [
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
  ], privateKey);
  return { certPem, keyPem: keyPem(privateKey) };
}

/** A certificate for `subject` with a new key, signed by `ca`. */
export async function issue(ca: Issued, subject: Subject, opts: IssueOptions): Promise<Issued> {
  const { publicKey, privateKey } = await newKey();
  const auth = authority(ca);
  const certPem = certificatePem(auth.subject, nameDER(subject), spkiOf(publicKey), validity(opts), leafExtensions(auth, opts), auth.key);
  return { certPem, keyPem: keyPem(privateKey) };
}

/**
 * A PKCS#10 request for `subject` with a new key, as a bootstrapping kubelet makes it; names
 * for a serving certificate go in an extension request (a subjectAltName).
 */
export async function createCSR(subject: Subject, names: { dnsNames?: string[]; ipAddresses?: string[] } = {}): Promise<{ csrPem: string; keyPem: string }> {
  const { publicKey, privateKey } = await newKey();
  const dns = names.dnsNames ?? [];
  const ips = names.ipAddresses ?? [];
  const attributes = dns.length || ips.length ? sequence(oid(OID.extensionRequest), set(sequence(extension(OID.subjectAltName, false, altNamesDER(dns, ips))))) : Buffer.alloc(0);
  // version 0, subject, key, attributes
  const info = sequence(integer(0), nameDER(subject), spkiOf(publicKey), tlv(contextTag(0, true), attributes));
  return { csrPem: pem('CERTIFICATE REQUEST', signed(info, privateKey)), keyPem: keyPem(privateKey) };
}

export interface ParsedCSR extends AltNames {
  commonName: string;
  organizations: string[];
  /** The request's signature checks out against its own key. */
  signatureValid: boolean;
}

interface Request {
  names: Omit<ParsedCSR, 'signatureValid'>;
  subject: Buffer;
  spki: Buffer;
  info: Buffer;
  algorithm: string;
  signature: Buffer;
}

function parseRequest(pemText: string): Request {
  const der = pemBlock(pemText, 'CERTIFICATE REQUEST');
  const top = children(der, expectTag(root(der), TAG.SEQUENCE, 'a certificate request'));
  if (top.length !== 3) throw new DERError('a certificate request has three parts');
  const info = children(der, expectTag(top[0], TAG.SEQUENCE, 'request information'));
  if (info.length < 3 || info.length > 4) throw new DERError('bad request information');
  const version = contents(der, expectTag(info[0], TAG.INTEGER, 'a version'));
  if (version.length !== 1 || version[0] !== 0) throw new DERError('unknown request version');
  const subject = expectTag(info[1], TAG.SEQUENCE, 'a subject');
  const spki = expectTag(info[2], TAG.SEQUENCE, 'a public key');
  let alt: AltNames = { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [] };
  if (info[3]) {
    for (const attr of children(der, expectTag(info[3], contextTag(0, true), 'attributes'))) {
      const [type, values] = children(der, expectTag(attr, TAG.SEQUENCE, 'an attribute'));
      if (!type || !values) throw new DERError('bad attribute');
      if (readOID(der, type) !== OID.extensionRequest) continue;
      const list = children(der, expectTag(values, TAG.SET, 'attribute values'))[0];
      if (!list) throw new DERError('empty extension request');
      const san = readExtensions(der, list).find((e) => e.id === OID.subjectAltName);
      if (san) alt = readAltNames(der, san.value);
    }
  }
  const algorithm = children(der, expectTag(top[1], TAG.SEQUENCE, 'a signature algorithm'))[0];
  return {
    names: { ...readName(der, subject), ...alt },
    subject: whole(der, subject),
    spki: whole(der, spki),
    info: whole(der, top[0]!),
    algorithm: readOID(der, expectTag(algorithm, TAG.OID, 'a signature algorithm')),
    signature: readBitString(der, top[2]!),
  };
}

/** The subject and names of a PEM request, without checking its signature; throws on anything that is not one. */
export function readCSR(pem: string): Omit<ParsedCSR, 'signatureValid'> {
  return parseRequest(pem).names;
}

function signatureValid(req: Request): boolean {
  const digest = SIGNATURE_DIGEST[req.algorithm];
  if (digest === undefined) return false; // an algorithm we do not check (RSA-PSS, SHA-1) is not trusted
  try {
    return verify(digest, req.info, createPublicKey({ key: req.spki, format: 'der', type: 'spki' }), req.signature);
  } catch {
    return false;
  }
}

/** Reads a PEM request; throws on anything that is not one. */
export async function parseCSR(pem: string): Promise<ParsedCSR> {
  const req = parseRequest(pem);
  return { ...req.names, signatureValid: signatureValid(req) };
}

/** Issues a certificate for a request's key and subject (the CSR signer's job); the caller has checked the request. */
export async function signCSR(ca: Issued, csrPem: string, opts: IssueOptions): Promise<string> {
  const req = parseRequest(csrPem);
  const auth = authority(ca);
  return certificatePem(auth.subject, req.subject, req.spki, validity(opts), leafExtensions(auth, opts), auth.key);
}

/** The user a client certificate names: CN is the user, each O a group (as Kubernetes reads them). */
export function certificateUser(certPem: string): { name: string; groups: string[] } {
  const der = new X509Certificate(certPem).raw;
  const { commonName, organizations } = readName(der, certificateFields(der).subject);
  return { name: commonName, groups: organizations };
}
