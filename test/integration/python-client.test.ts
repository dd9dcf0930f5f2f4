// The official Python client (python3-kubernetes, Debian's /usr/bin/python3): list, create, watch.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';

const run = promisify(execFile);
let api: ApiServerHandle;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
});
afterAll(async () => {
  await api?.stop();
});

describe('kubernetes Python client', () => {
  it('lists, creates and watches', async () => {
    const script = join(process.cwd(), 'test', 'integration', 'python', 'client_check.py');
    const { stdout } = await run('/usr/bin/python3', [script, api.url, 'py-test'], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system', 'py-test']));
    expect(result.listed).toEqual(['py-cm']);
    expect(result.deployment_strategy).toBe('RollingUpdate');
    expect(result).toHaveProperty('created_deployment_replicas', null);
    expect(result.resources).toEqual(expect.arrayContaining(['pods', 'services', 'configmaps', 'namespaces']));
    expect(result.events).toEqual([
      ['MODIFIED', 'py-cm', 'v2'],
      ['DELETED', 'py-cm', 'v2'],
    ]);
  });
});
