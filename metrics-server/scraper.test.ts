import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCA, issue } from '../api/pki/certificates.js';
import type { Node } from '../api/types/core.js';
import { scrapeNode, type KubeletClient } from './scraper.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A kubelet's /metrics/resource over TLS, with a serving certificate made out to `names`. */
async function fakeKubelet(names: string[]): Promise<{ server: Server; port: number }> {
  const ca = await createCA('kubelet-ca');
  const serving = await issue(ca, { commonName: `${names[0]}@1700000000` }, { usages: ['server'], dnsNames: names, ipAddresses: ['127.0.0.1'] });
  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('node_memory_working_set_bytes 1048576 1700000000000\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { server, port: (server.address() as AddressInfo).port };
}

const nodeAt = (name: string, port: number) => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } }) as Node;
const insecure: KubeletClient = { credentials: {}, insecure: true, timeoutMs: 5_000 };

describe('scraping a kubelet', () => {
  it('keeps telling the kubelet by its certificate on every new connection, not only the first', async () => {
    const { server, port } = await fakeKubelet(['node-a', 'localhost']);
    // A scrape period longer than the kubelet keeps an idle connection: each scrape connects anew.
    server.keepAliveTimeout = 20;
    for (let round = 0; round < 3; round++) {
      const scrape = await scrapeNode(nodeAt('node-a', port), insecure);
      expect(scrape.node?.memory).toBe(1048576);
      await new Promise((r) => setTimeout(r, 150));
    }
  });

  it("refuses a kubelet whose certificate names another node", async () => {
    const { port } = await fakeKubelet(['node-b']);
    await expect(scrapeNode(nodeAt('node-a', port), insecure)).rejects.toThrow(/is not node-a's/);
  });
});
