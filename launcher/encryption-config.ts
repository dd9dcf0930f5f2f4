// The launcher's encryption-at-rest configuration: Secrets encrypted with aescbc under a key
// made on first start and kept in the data directory (never in git), so a restarted cluster
// reads what it wrote. The identity provider stays last so Secrets stored before encryption
// was enabled remain readable until they are rewritten.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ensureEncryptionConfig(dataDir: string): string {
  const file = join(dataDir, 'encryption-config.yaml');
  if (existsSync(file)) return file;
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(
    file,
    [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: EncryptionConfiguration',
      'resources:',
      '  - resources: [secrets]',
      '    providers:',
      '      - aescbc:',
      '          keys:',
      `            - {name: key1, secret: ${key}}`,
      '      - identity: {}',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}
