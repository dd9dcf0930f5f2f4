#!/usr/bin/env node
// Makes a cluster's certificates, kubeconfigs and encryption key once (compose's `pki` init
// service runs it before anything else): the same files the launcher makes for itself.
import { chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineFlags, FlagError, parseFlags, usage } from '../component-base/flags.js';
import { ensureEncryptionConfig } from './encryption-config.js';
import { ensureClusterPKI } from './pki.js';

const READY_MARKER = 'ready';

const flags = defineFlags({
  dir: { type: 'string', default: '/var/lib/kubette-pki', arg: 'DIR', help: 'Where the files go (pki/ and encryption-config.yaml); existing ones are kept.' },
  server: { type: 'string', default: 'https://127.0.0.1:6443', arg: 'URL', help: 'The secure port the kubeconfigs name.' },
  'service-ip': { type: 'ip', default: '10.96.0.1', arg: 'IP', help: "The kubernetes Service's IP, for the serving certificate." },
  kubeconfig: { type: 'string', arg: 'FILE', help: "Also write the admin's kubeconfig here (owned by the owner of its directory)." },
  owner: { type: 'int', default: -1, arg: 'UID', help: 'Give the files to this user (the components run as uid 10001 in the image).' },
});

try {
  const { values: f, help } = parseFlags(flags, process.argv.slice(2));
  if (help) {
    console.log(usage('node dist/launcher/pki-main.js', flags));
    process.exit(0);
  }
  const pki = await ensureClusterPKI(f.dir, { server: f.server, ips: [f['service-ip']], names: [] });
  const encryption = ensureEncryptionConfig(f.dir);
  if (f.owner >= 0) for (const file of [...readdirSync(pki.dir, { recursive: true }).map((n) => join(pki.dir, String(n))), pki.dir, encryption]) chownSync(file, f.owner, f.owner);
  if (f.kubeconfig) {
    writeFileSync(f.kubeconfig, readFileSync(pki.kubeconfigs.admin!, 'utf8'), { mode: 0o600 });
    const dir = statSync(dirname(f.kubeconfig));
    chownSync(f.kubeconfig, dir.uid, dir.gid);
  }
  // Written last: Compose starts the components while this job runs, and each waits for this
  // file before reading what it needs from here (scripts/node-entrypoint.sh, KUBETTE_WAIT_FOR).
  writeFileSync(join(f.dir, READY_MARKER), 'complete\n');
  console.log(`certificates and kubeconfigs in ${pki.dir}; encryption config ${encryption}`);
} catch (err) {
  console.error(`pki: ${(err as Error).message}`);
  process.exit(err instanceof FlagError ? 2 : 1);
}
