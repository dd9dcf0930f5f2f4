// The apiserver as users run it: `node dist/apiserver/main.js` with flags, on a free port.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, WaitAbandoned, waitFor } from './ports.js';
import { Proc } from './processes.js';
import { mallocEnv, nodeFlags } from '../../component-base/heap.js';

export interface ApiServerHandle {
  url: string;
  port: number;
  prefix: string;
  proc: Proc;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Starts the same server again (same port, etcd and prefix) after a stop or kill. */
  restart(): Promise<void>;
}

export interface ApiServerStart {
  etcd: string;
  /** The etcd key prefix; tests sharing one etcd each get their own. */
  prefix?: string;
  port?: number;
  args?: string[];
  /** What "started" means: ready (default) or only alive (a server expected to stay unready). */
  waitFor?: '/readyz' | '/livez';
}

const MAIN = join(process.cwd(), 'dist', 'apiserver', 'main.js');

export async function startApiServer(opts: ApiServerStart): Promise<ApiServerHandle> {
  const port = opts.port ?? (await freePort());
  const prefix = opts.prefix ?? `/kubette-test-${randomBytes(4).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const proc = new Proc(`apiserver-${port}`, process.execPath, [
      ...nodeFlags(MAIN),
      MAIN,
      '--etcd-servers', opts.etcd,
      '--etcd-prefix', prefix,
      '--insecure-port', String(port),
      '--log-level', 'warn',
      // Tests that use the secure port give it (and its certificates) in args.
      ...((opts.args ?? []).some((a) => a.startsWith('--secure-port')) ? [] : ['--secure-port', '0']),
      // No controller-manager makes default ServiceAccounts for an apiserver alone, so pods
      // would be refused; tests of that admission turn it on by giving admission flags.
      ...((opts.args ?? []).some((a) => a.includes('admission-plugins')) ? [] : ['--disable-admission-plugins', 'ServiceAccount']),
      ...(opts.args ?? []),
    ], mallocEnv());
    await waitFor('apiserver readiness', async () => {
      if (!proc.running) throw new WaitAbandoned([`apiserver exited (${proc.child.exitCode ?? proc.child.signalCode}); see .kubette/test-logs/apiserver-${port}.log; its last output:`, ...(await proc.lastWords()).map((l) => `  | ${l.slice(0, 400)}`)].join('\n'));
      const res = await fetch(`${url}${opts.waitFor ?? '/readyz'}`);
      return res.status === 200;
    });
    return proc;
  };
  const handle: ApiServerHandle = {
    url,
    port,
    prefix,
    proc: await launch(),
    stop: () => handle.proc.stop(),
    kill: () => handle.proc.kill(),
    async restart() {
      handle.proc = await launch();
    },
  };
  return handle;
}
