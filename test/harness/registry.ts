// A private container registry on loopback for the tests (this machine has none to reach): the
// Docker Registry HTTP API v2 as far as `docker pull` uses it (the /v2/ check, manifests and
// blobs by tag or digest), every request behind HTTP Basic authentication. It serves images
// already in the local Docker, exported through the Engine API (`docker save`) and published
// as schema 2 manifests with gzip layers. Docker treats registries on 127.0.0.0/8 as plain
// HTTP ones, so nothing else is needed for the daemon to pull from it.
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { freePort } from './ports.js';

const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export interface Registry {
  /** host:port, to put in front of image names and in docker config keys. */
  host: string;
  /** Requests answered, for assertions: "GET /v2/..." with the status given. */
  log: string[];
  stop(): Promise<void>;
}

/** The files of a tar archive (ustar: 512-byte headers, data padded to 512). */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, len: number) => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The image as the local Docker's Engine API exports it (GET /images/{name}/get). */
function exportImage(image: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: '/var/run/docker.sock', path: `/images/${encodeURIComponent(image)}/get`, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`export of ${image}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString()}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Starts a registry holding `images` (repository:tag -> a local image, e.g. `private/box:1.0`
 * -> `busybox:1.36`) for user `username` with `password`.
 */
export async function startRegistry(opts: { username: string; password: string; images: Record<string, string> }): Promise<Registry> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  for (const [target, local] of Object.entries(opts.images)) {
    const files = untar(await exportImage(local));
    const index = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; Layers: string[] }>;
    const config = files.get(index[0]!.Config)!;
    const layers = index[0]!.Layers.map((l) => gzipSync(files.get(l)!));
    for (const b of [config, ...layers]) blobs.set(digestOf(b), b);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: digestOf(config) },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: l.length, digest: digestOf(l) })),
      }),
    );
    const colon = target.lastIndexOf(':');
    const [repo, tag] = [target.slice(0, colon), target.slice(colon + 1)];
    manifests.set(`${repo}:${tag}`, manifest);
    manifests.set(`${repo}@${digestOf(manifest)}`, manifest);
  }
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const answer = (status: number, headers: Record<string, string | number>, body?: Buffer | string) => {
      log.push(`${req.method} ${req.url} ${status}`);
      res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.headers.authorization !== expected) {
      return answer(401, { 'WWW-Authenticate': 'Basic realm="kubette-test-registry"', 'Content-Type': 'application/json' }, JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/v2/' || path === '/v2') return answer(200, { 'Content-Type': 'application/json' }, '{}');
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (m && m[2] === 'manifests') {
      const ref = m[3]!.startsWith('sha256:') ? `${m[1]}@${m[3]}` : `${m[1]}:${m[3]}`;
      const body = manifests.get(ref);
      if (body) return answer(200, { 'Content-Type': MANIFEST, 'Content-Length': body.length, 'Docker-Content-Digest': digestOf(body) }, body);
      return answer(404, { 'Content-Type': 'application/json' }, JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    }
    if (m && m[2] === 'blobs') {
      const body = blobs.get(m[3]!);
      if (body) return answer(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length, 'Docker-Content-Digest': m[3]! }, body);
      return answer(404, { 'Content-Type': 'application/json' }, JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown' }] }));
    }
    return answer(404, { 'Content-Type': 'application/json' }, JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    log,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
