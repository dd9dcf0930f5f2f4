import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { reloadServingTLS } from './serving-tls-reload.js';

const dir = mkdtempSync(join(tmpdir(), 'kubette-tls-reload-'));
const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

/** Replaces a file as certificate tools do: a new file renamed over the old one. */
function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function servingCert(cn: string) {
  const ca = await createCA(`${cn}-ca`);
  return issue(ca, { commonName: cn }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
}

function peer(server: Server): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate());
      s.destroy();
    });
    s.on('error', reject);
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reloadServingTLS', () => {
  it('serves a replaced certificate to new connections, and keeps the one before when the new files do not match', async () => {
    const first = await servingCert('first');
    const cert = join(dir, 'apiserver.crt');
    const key = join(dir, 'apiserver.key');
    writeFileSync(cert, first.certPem);
    writeFileSync(key, first.keyPem);
    const server = createServer({ cert: first.certPem, key: first.keyPem });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const abort = new AbortController();
    const outcomes: string[] = [];
    reloadServingTLS({
      files: { cert, key },
      current: { certPem: first.certPem, keyPem: first.keyPem },
      signal: abort.signal,
      // Long: only the file events may make it notice in time.
      intervalMs: 3_600_000,
      apply: (t) => server.setSecureContext({ cert: t.certPem!, key: t.keyPem! }),
      reloaded: (err) => outcomes.push(err ? 'failed' : 'reloaded'),
    });
    stops.push(() => abort.abort(), () => server.close());
    expect((await peer(server)).subject.CN).toBe('first');

    // A key of another certificate: refused, the first stays.
    const other = await servingCert('other');
    replace(key, other.keyPem);
    await until('the mismatch seen', () => outcomes.includes('failed'));
    expect((await peer(server)).subject.CN).toBe('first');

    const second = await servingCert('second');
    replace(cert, second.certPem);
    replace(key, second.keyPem);
    await until('the second certificate served', async () => (await peer(server)).subject.CN === 'second');
    expect(outcomes).toContain('reloaded');
  });

  it('notices a change by reading the files on its interval too, and stops when told', async () => {
    const first = await servingCert('polled-first');
    const sub = mkdtempSync(join(dir, 'polled-'));
    const cert = join(sub, 'tls.crt');
    const key = join(sub, 'tls.key');
    writeFileSync(cert, first.certPem);
    writeFileSync(key, first.keyPem);
    const applied: string[] = [];
    const abort = new AbortController();
    reloadServingTLS({ files: { cert, key }, current: { certPem: first.certPem, keyPem: first.keyPem }, signal: abort.signal, intervalMs: 100, apply: (t) => applied.push(t.certPem!), reloaded: () => undefined });
    // Nothing changed: nothing applied.
    await new Promise((r) => setTimeout(r, 300));
    expect(applied).toEqual([]);
    const second = await servingCert('polled-second');
    writeFileSync(key, second.keyPem);
    writeFileSync(cert, second.certPem);
    await until('the change applied', () => applied.length > 0);
    expect(applied.at(-1)).toBe(second.certPem);
    abort.abort();
    const third = await servingCert('polled-third');
    writeFileSync(key, third.keyPem);
    writeFileSync(cert, third.certPem);
    const count = applied.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(applied.length).toBe(count);
    rmSync(sub, { recursive: true, force: true });
  });
});
