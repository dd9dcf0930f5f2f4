// The encryption providers of Kubernetes' EncryptionConfiguration, writing the same stored
// forms: `k8s:enc:<provider>:v1:<key name>:` then, for aescbc, a 16-byte IV and the AES-CBC
// ciphertext (PKCS#7); for aesgcm, a 12-byte nonce and the AES-GCM ciphertext and tag, with
// the etcd key as authenticated data (so a value cannot be moved to another key); for
// secretbox, a 24-byte nonce and the XSalsa20-Poly1305 box (tweetnacl). identity stores
// plaintext.
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { createRequire } from 'node:module';

export interface Provider {
  /** aescbc, aesgcm, secretbox or identity. */
  type: string;
  /** The key's name ('' for identity). */
  keyName: string;
  /** The stored bytes, prefix included. */
  encrypt(plain: Buffer, key: string): Buffer;
  /** `sealed` without the prefix; throws when the data does not decrypt. */
  decrypt(sealed: Buffer, key: string): Buffer;
}

export class DecryptError extends Error {}

export const identity: Provider = {
  type: 'identity',
  keyName: '',
  encrypt: (plain) => plain,
  decrypt: (sealed) => sealed,
};

const prefixOf = (type: string, keyName: string) => Buffer.from(`k8s:enc:${type}:v1:${keyName}:`);

function aesKey(secret: Buffer, type: string, name: string): Buffer {
  if (![16, 24, 32].includes(secret.length)) throw new Error(`${type} key "${name}": must be 16, 24 or 32 bytes, got ${secret.length}`);
  return secret;
}

export function aescbc(name: string, secret: Buffer): Provider {
  const key = aesKey(secret, 'aescbc', name);
  const algorithm = `aes-${key.length * 8}-cbc`;
  return {
    type: 'aescbc',
    keyName: name,
    encrypt(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(algorithm, key, iv);
      return Buffer.concat([prefixOf('aescbc', name), iv, c.update(plain), c.final()]);
    },
    decrypt(sealed) {
      if (sealed.length < 32 || sealed.length % 16 !== 0) throw new DecryptError('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algorithm, key, sealed.subarray(0, 16));
      try {
        return Buffer.concat([d.update(sealed.subarray(16)), d.final()]);
      } catch {
        throw new DecryptError('invalid padding on input');
      }
    },
  };
}

export function aesgcm(name: string, secret: Buffer): Provider {
  const key = aesKey(secret, 'aesgcm', name);
  const algorithm = `aes-${key.length * 8}-gcm`;
  return {
    type: 'aesgcm',
    keyName: name,
    encrypt(plain, etcdKey) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algorithm, key, nonce) as CipherGCM;
      c.setAAD(Buffer.from(etcdKey));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([prefixOf('aesgcm', name), nonce, body, c.getAuthTag()]);
    },
    decrypt(sealed, etcdKey) {
      if (sealed.length < 12 + 16) throw new DecryptError('the stored data was shorter than the required size');
      const d = createDecipheriv(algorithm, key, sealed.subarray(0, 12)) as DecipherGCM;
      d.setAAD(Buffer.from(etcdKey));
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      try {
        return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
      } catch {
        throw new DecryptError('cipher: message authentication failed');
      }
    },
  };
}

/** tweetnacl, required when a secretbox key is configured: most servers never load it. */
function naclLibrary(): typeof import('tweetnacl') {
  return createRequire(import.meta.url)('tweetnacl') as typeof import('tweetnacl');
}

export function secretbox(name: string, secret: Buffer): Provider {
  if (secret.length !== 32) throw new Error(`secretbox key "${name}": must be 32 bytes, got ${secret.length}`);
  const nacl = naclLibrary();
  const key = new Uint8Array(secret);
  return {
    type: 'secretbox',
    keyName: name,
    encrypt(plain) {
      const nonce = randomBytes(24);
      return Buffer.concat([prefixOf('secretbox', name), nonce, Buffer.from(nacl.secretbox(new Uint8Array(plain), new Uint8Array(nonce), key))]);
    },
    decrypt(sealed) {
      if (sealed.length < 24) throw new DecryptError('the stored data was shorter than the required size');
      const opened = nacl.secretbox.open(new Uint8Array(sealed.subarray(24)), new Uint8Array(sealed.subarray(0, 24)), key);
      if (!opened) throw new DecryptError('output array was not large enough for encryption');
      return Buffer.from(opened);
    },
  };
}
