// Compose starts the components while the pki job is still making their certificates: the
// image's entry point holds each one until the job's marker file exists (docker-compose.yml).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kubette-pki-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the pki job and the entry point that waits for it', () => {
  it('starts a component only once the job has written every file and then its marker', async () => {
    const marker = join(dir, 'ready');
    const component = spawn('sh', [join(root, 'scripts/node-entrypoint.sh'), '-e', `const fs = require('node:fs'); console.log(fs.readdirSync(${JSON.stringify(join(dir, 'pki'))}).length)`], {
      env: { ...process.env, KUBETTE_WAIT_FOR: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    component.stdout.on('data', (d) => (out += d));
    component.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => component.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Still waiting: no marker yet, nothing ran.
    expect(component.exitCode).toBeNull();
    expect(err).toContain(`waiting for ${marker}`);
    expect(out).toBe('');

    await promisify(execFile)(process.execPath, [join(root, 'dist/launcher/pki-main.js'), `--dir=${dir}`]);
    expect(existsSync(marker)).toBe(true);
    expect(await exited).toBe(0);
    // It saw the whole directory the job made.
    expect(Number(out.trim())).toBe(readdirSync(join(dir, 'pki')).length);
    expect(Number(out.trim())).toBeGreaterThan(20);
  });

  it('does not wait when no marker is named, or when the marker is already there', async () => {
    const present = join(dir, 'present');
    writeFileSync(present, '');
    for (const env of [{ KUBETTE_WAIT_FOR: '' }, { KUBETTE_WAIT_FOR: present }]) {
      const started = spawn('sh', [join(root, 'scripts/node-entrypoint.sh'), '-e', 'console.log("up")'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      started.stdout.on('data', (d) => (out += d));
      expect(await new Promise((resolve) => started.on('exit', resolve))).toBe(0);
      expect(out).toBe('up\n');
    }
  });
});
