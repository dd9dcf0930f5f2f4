import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { readTerminationMessage, terminationMessageMount, withinPodBudget } from './termination-message.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const root = async () => {
  const d = await mkdtemp(join(tmpdir(), 'kubette-tm-'));
  dirs.push(d);
  return d;
};
const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } } as unknown as Pod;
const noLogs = () => Promise.reject(new Error('no logs wanted'));

describe('termination messages', () => {
  it('gives each run an empty file anyone may write, mounted at the container path', async () => {
    const dir = await root();
    const a = await terminationMessageMount(dir, pod, { name: 'app', terminationMessagePath: '/dev/termination-log' });
    const b = await terminationMessageMount(dir, pod, { name: 'app', terminationMessagePath: '/dev/termination-log' });
    expect(a).toMatchObject({ containerPath: '/dev/termination-log', readonly: false });
    expect(a!.hostPath.startsWith(join(dir, 'pods', 'u1', 'containers', 'app'))).toBe(true);
    expect(a!.hostPath).not.toBe(b!.hostPath);
    expect((await stat(a!.hostPath)).mode & 0o777).toBe(0o666);
    expect(await readFile(a!.hostPath, 'utf8')).toBe('');
    expect(await terminationMessageMount(dir, pod, { name: 'app', terminationMessagePath: '' })).toBeUndefined();
  });

  it("reads the file's last 4 KiB", async () => {
    const file = join(await root(), 'msg');
    await writeFile(file, 'x'.repeat(5000) + 'the end');
    const message = await readTerminationMessage({ file, exitCode: 0, neverRan: false, logs: noLogs });
    expect(message.length).toBe(4096);
    expect(message.endsWith('the end')).toBe(true);
  });

  it('falls back to the end of the log only for a failed container that wrote nothing, when asked', async () => {
    const file = join(await root(), 'msg');
    await writeFile(file, '');
    const logs = async (lines: number) => {
      expect(lines).toBe(80);
      return Readable.from([Buffer.from('a'.repeat(3000)), Buffer.from('\npanic: boom\n')]);
    };
    const fellBack = await readTerminationMessage({ file, exitCode: 2, neverRan: false, policy: 'FallbackToLogsOnError', logs });
    expect(fellBack.length).toBe(2048);
    expect(fellBack.endsWith('panic: boom\n')).toBe(true);
    expect(await readTerminationMessage({ file, exitCode: 0, neverRan: false, policy: 'FallbackToLogsOnError', logs: noLogs })).toBe('');
    expect(await readTerminationMessage({ file, exitCode: 2, neverRan: false, policy: 'File', logs: noLogs })).toBe('');
    expect(await readTerminationMessage({ file, exitCode: 128, neverRan: true, policy: 'FallbackToLogsOnError', logs: noLogs })).toBe('');
    // The file wins over the log when the container wrote to it.
    await writeFile(file, 'disk full');
    expect(await readTerminationMessage({ file, exitCode: 2, neverRan: false, policy: 'FallbackToLogsOnError', logs: noLogs })).toBe('disk full');
  });

  it("keeps a pod's messages under 12 KiB together, each container its share from the start", () => {
    expect(withinPodBudget('short', 3)).toBe('short');
    expect(withinPodBudget('y'.repeat(5000), 3)).toBe('y'.repeat(4096));
    expect(withinPodBudget('y'.repeat(5000), 1)).toBe('y'.repeat(5000));
  });
});
