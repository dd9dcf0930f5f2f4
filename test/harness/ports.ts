// Ports for the processes a test starts, and waiting for them.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort as unclaimedFreePort } from '../../component-base/free-port.js';
import { claimDir } from './claims.js';

/** Ports handed to tests, one directory each (mkdir is atomic) with its holder's pid: test processes running side by side never get the same one. */
const CLAIMS = join(tmpdir(), 'kubette-test-ports');

function claim(port: number): boolean {
  mkdirSync(CLAIMS, { recursive: true });
  return claimDir(join(CLAIMS, String(port)), true);
}

/**
 * A loopback port no process listens on, kept from every other test process until this one
 * exits, and outside the kernel's ephemeral range so no outgoing connection takes it before
 * the process the test starts listens on it.
 */
export function freePort(): Promise<number> {
  return unclaimedFreePort(claim);
}

/** Thrown by a probe when waiting longer cannot help (the process it waits for is gone): waitFor gives up at once. */
export class WaitAbandoned extends Error {}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (err instanceof WaitAbandoned) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
