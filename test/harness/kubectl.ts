// Runs an unmodified kubectl binary against a test server, with a private discovery cache.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientConfig } from '../../client/kubeconfig.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const KUBECTL_VERSIONS: Record<string, string> = {
  '1.32': process.env.KUBECTL ?? 'kubectl',
  '1.27': '/usr/lib/google-cloud-sdk/bin/kubectl.1.27',
  '1.33': '/usr/lib/google-cloud-sdk/bin/kubectl.1.33',
};

/** `auth`: flags naming the credentials and CA (e.g. --client-certificate, --token, --certificate-authority). */
export function kubectlFor(server: string, binary = KUBECTL_VERSIONS['1.32']!, auth: string[] = []) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubette-kubectl-cache-'));
  /**
   * `holdStdin`: write `stdin` but leave it open, as a user at a terminal does, so that the command
   * ends on its own (e.g. when an attached container exits) rather than when its input ends.
   */
  const run = (args: string[], stdin?: string, opts: { holdStdin?: boolean } = {}): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        binary,
        ['-s', server, '--cache-dir', cacheDir, ...auth, ...args],
        { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: '/dev/null' } },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
          resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
        },
      );
      if (stdin === undefined) return;
      if (!opts.holdStdin) {
        child.stdin!.end(stdin);
        return;
      }
      child.stdin!.on('error', () => undefined);
      child.stdin!.write(stdin);
    });
  /** Runs kubectl and fails the test with its stderr when it exits non-zero. */
  const ok = async (args: string[], stdin?: string): Promise<string> => {
    const res = await run(args, stdin);
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
    return res.stdout;
  };
  return { run, ok };
}

/** kubectl as a user of the cluster runs it: the admin kubeconfig, on the secure port. */
export function kubectlWithKubeconfig(kubeconfig: string, binary = KUBECTL_VERSIONS['1.32']!) {
  return kubectlFor(loadClientConfig({ kubeconfig }).server, binary, ['--kubeconfig', kubeconfig]);
}
