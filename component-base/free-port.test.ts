import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', () => {
  it('picks ports below the range outgoing connections take theirs from, each one listenable', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralLow);
      const srv = createServer();
      await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((r) => srv.close(r));
    }
  });

  it('never hands out a port its claim refuses', async () => {
    const refused: number[] = [];
    const port = await freePort((p) => {
      if (refused.length < 5) return !refused.push(p);
      return true;
    });
    expect(refused).toHaveLength(5);
    expect(refused).not.toContain(port);
  });
});
