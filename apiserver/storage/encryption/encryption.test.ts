// Encryption at rest over the in-memory store: stored forms, every provider, rotation.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryKV } from '../memory-kv.js';
import { parseEncryptionConfig } from './config.js';
import { EncryptingKV } from './encrypting-kv.js';

const key = (n = 32) => randomBytes(n).toString('base64');
const config = (providers: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}`;
const SECRET = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

describe('encryption at rest', () => {
  it.each([
    ['aescbc', `      - aescbc: {keys: [{name: k1, secret: ${key()}}]}`],
    ['aesgcm', `      - aesgcm: {keys: [{name: k1, secret: ${key(16)}}]}`],
    ['secretbox', `      - secretbox: {keys: [{name: k1, secret: ${key()}}]}`],
  ])('%s: stores k8s:enc:<provider>:v1:k1: and ciphertext, reads back the plaintext', async (type, providers) => {
    const inner = new MemoryKV();
    const kv = new EncryptingKV(inner, '/registry', parseEncryptionConfig(config(providers)));
    await kv.create('/registry/secrets/ns/s', SECRET);
    const raw = (await inner.get('/registry/secrets/ns/s'))!.value;
    expect(raw.subarray(0, `k8s:enc:${type}:v1:k1:`.length).toString()).toBe(`k8s:enc:${type}:v1:k1:`);
    expect(raw.includes(Buffer.from('password'))).toBe(false);
    expect((await kv.get('/registry/secrets/ns/s'))!.value.toString()).toBe(SECRET.toString());
    expect((await kv.range('/registry/secrets/')).kvs[0]!.value.toString()).toBe(SECRET.toString());
    // Other resources are stored as they are.
    await kv.create('/registry/configmaps/ns/c', Buffer.from('{"a":1}'));
    expect((await inner.get('/registry/configmaps/ns/c'))!.value.toString()).toBe('{"a":1}');
  });

  it('aesgcm binds a value to its key: moved under another name it does not decrypt', async () => {
    const inner = new MemoryKV();
    const kv = new EncryptingKV(inner, '/registry', parseEncryptionConfig(config(`      - aesgcm: {keys: [{name: k1, secret: ${key()}}]}`)));
    await kv.create('/registry/secrets/ns/a', SECRET);
    await inner.create('/registry/secrets/ns/b', (await inner.get('/registry/secrets/ns/a'))!.value);
    await expect(kv.get('/registry/secrets/ns/b')).rejects.toThrow('message authentication failed');
  });

  it('rotates: the first provider writes, all read, and values from an older key are marked stale', async () => {
    const inner = new MemoryKV();
    const k1 = `{name: k1, secret: ${key()}}`;
    const k2 = `{name: k2, secret: ${key()}}`;
    const plain = new EncryptingKV(inner, '/registry', parseEncryptionConfig(config('      - identity: {}')));
    await plain.create('/registry/secrets/ns/old', SECRET);
    const first = new EncryptingKV(inner, '/registry', parseEncryptionConfig(config(`      - aescbc: {keys: [${k1}]}\n      - identity: {}`)));
    expect((await first.get('/registry/secrets/ns/old'))!.stale).toBe(true); // plaintext, readable through identity
    await first.create('/registry/secrets/ns/new', SECRET);
    const both = new EncryptingKV(inner, '/registry', parseEncryptionConfig(config(`      - aescbc: {keys: [${k2}, ${k1}]}`)));
    const read = (await both.get('/registry/secrets/ns/new'))!;
    expect([read.value.toString(), read.stale]).toEqual([SECRET.toString(), true]);
    await both.update('/registry/secrets/ns/new', read.value, read.modRevision);
    expect((await inner.get('/registry/secrets/ns/new'))!.value.subarray(0, 20).toString()).toBe('k8s:enc:aescbc:v1:k2');
    const onlyK2 = new EncryptingKV(inner, '/registry', parseEncryptionConfig(config(`      - aescbc: {keys: [${k2}]}`)));
    expect((await onlyK2.get('/registry/secrets/ns/new'))!.stale).toBeUndefined();
    // The plaintext one was never rewritten: without identity it cannot be read.
    await expect(onlyK2.get('/registry/secrets/ns/old')).rejects.toThrow('no matching prefix found');
  });

  it('refuses a malformed configuration, saying what is wrong', () => {
    expect(() => parseEncryptionConfig('kind: Other')).toThrow('expected kind EncryptionConfiguration');
    expect(() => parseEncryptionConfig(config('      - kms: {name: x}'))).toThrow('provider kms is not supported');
    expect(() => parseEncryptionConfig(config(`      - aescbc: {keys: [{name: k, secret: ${key(10)}}]}`))).toThrow('must be 16, 24 or 32 bytes');
    expect(() => parseEncryptionConfig(config('      - aescbc: {keys: [{name: k, secret: "not base64!"}]}'))).toThrow('must be base64');
    expect(() => parseEncryptionConfig(config('      - aescbc: {keys: []}'))).toThrow('at least one key');
  });
});
