// docker-compose projects for the compose tests: this checkout's files, the images built from
// local parts (no registry here: compose must never pull), and a cluster brought up from clean.
import { execFile, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './ports.js';

export const LOCAL_IMAGES = {
  KUBETTE_NODE_IMAGE: 'kubette/node:20-bookworm',
  KUBETTE_ETCD_IMAGE: 'kubette/etcd:3.4',
  KUBETTE_PAUSE_IMAGE: 'kubette/pause:3.9',
  KUBETTE_NGINX_IMAGE: 'kubette/nginx:1.22',
};

/** Host ports both compose files' parts listen on (network_mode: host): etcd, the apiserver's secure and local admin ports. */
const HOST_PORTS = [2379, 6443, 8080];

/** Whether some process accepts connections on a loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export interface ComposeProject {
  run(...args: string[]): Promise<{ code: number; out: string }>;
  /** Builds the component image from this checkout, starts from `down -v`, waits for `nodes` Ready nodes; returns how long `up` took to get there. */
  upFromClean(nodes: number, timeoutMs: number): Promise<number>;
}

export function composeProject(project: string, files: string[] = ['docker-compose.yml'], root = process.cwd()): ComposeProject {
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const fileArgs = files.flatMap((f) => ['-f', f]);
      execFile('docker-compose', ['-p', project, ...fileArgs, ...args], { cwd: root, timeout: 240_000, maxBuffer: 16 * 1024 * 1024, env: process.env }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
      );
    });
  return {
    run,
    async upFromClean(nodes, timeoutMs) {
      for (const image of Object.values(LOCAL_IMAGES)) {
        try {
          execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
        } catch {
          throw new Error(`${image} is missing: run scripts/build-images.sh --all first`);
        }
      }
      Object.assign(process.env, LOCAL_IMAGES);
      // The component image must hold this checkout's code: rebuild it (layers make that quick).
      const built = await run('build', 'apiserver');
      if (built.code !== 0) throw new Error(`docker-compose build failed:\n${built.out}`);
      await run('down', '-v');
      // Another cluster on these ports (a launcher, another project) would answer in this
      // project's place: its nodes would look Ready and only its certificates would differ.
      const taken = [];
      for (const port of HOST_PORTS) if (await listening(port)) taken.push(port);
      if (taken.length > 0) throw new Error(`something other than this project listens on 127.0.0.1 port ${taken.join(', ')}: stop it (a launcher, another compose project) first`);
      const started = Date.now();
      const up = await run('up', '-d');
      if (up.code !== 0) throw new Error(`docker-compose up failed:\n${up.out}`);
      // Watched through the local admin port, in this process: kubectl in a loop would spend
      // ~0.13 s of CPU per look, a sixth of two cores, on the start it measures.
      const readyNodes = async () => {
        const res = await fetch('http://127.0.0.1:8080/api/v1/nodes', { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        if (!res?.ok) return 0;
        const list = (await res.json()) as { items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> };
        return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      };
      await waitFor(`${nodes} Ready nodes`, async () => ((await readyNodes()) === nodes ? true : undefined), timeoutMs, 100);
      const tookMs = Date.now() - started;
      // What users see: kubectl through ./kubeconfig agrees.
      const out = execFileSync('kubectl', ['--kubeconfig', join(root, 'kubeconfig'), 'get', 'nodes', '--no-headers'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      if ((out.match(/\sReady\s/g) ?? []).length !== nodes) throw new Error(`kubectl get nodes does not show ${nodes} Ready nodes:\n${out}`);
      return tookMs;
    },
  };
}
