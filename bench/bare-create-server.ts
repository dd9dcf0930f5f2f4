// The least a create can cost a Node server: bench:apiserver's floor. A bare node:http server
// that reads a JSON body, gives the object a uid, timestamp and namespace, stores it with the
// apiserver's own etcd client as a create-if-absent transaction, and answers 201 with it and
// its resourceVersion. No routing, authentication, validation, defaults, admission,
// managedFields, watch cache or flow control: what is left is Node's HTTP server, JSON and the
// etcd call, which any apiserver written for Node pays.
// Run by bench/apiserver.ts as a child: `node bare-create-server.js <etcd endpoint> <key prefix>`;
// it sends its port over IPC.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { EtcdStore } from '../apiserver/storage/etcd-store.js';

const [endpoint, prefix] = process.argv.slice(2);
if (!endpoint || !prefix || !process.send) {
  console.error('usage: bare-create-server.js <etcd endpoint> <key prefix> (as a child with IPC)');
  process.exit(2);
}
const store = new EtcdStore([endpoint]);

async function create(path: string, body: Buffer): Promise<{ code: number; out: string }> {
  // /api/v1/namespaces/<ns>/<plural>
  const [, , , , namespace, plural] = path.split('/');
  const obj = JSON.parse(body.toString('utf8')) as { metadata: Record<string, unknown> };
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  meta.namespace = namespace;
  const res = await store.create(`${prefix}/${plural}/${namespace}/${String(meta.name)}`, Buffer.from(JSON.stringify(obj)));
  if (!res.ok) return { code: 409, out: '{"kind":"Status","code":409}' };
  meta.resourceVersion = String(res.revision);
  return { code: 201, out: JSON.stringify(obj) };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    create(req.url ?? '', Buffer.concat(chunks)).then(
      ({ code, out }) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(out);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.send!(typeof addr === 'object' && addr ? addr.port : 0);
});
process.on('SIGTERM', () => {
  server.close();
  store.close();
  process.exit(0);
});
