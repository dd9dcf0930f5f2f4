// fsGroup ownership of pod volumes on the real filesystem: chown to another group needs root
// with every group mapped, as the kubelet runs (not the user namespace unit tests run in).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import { prepareVolumes, type VolumeSources } from '../../kubelet/container/volumes.js';
import { prepareSubPaths } from '../../kubelet/container/subpaths.js';

const root = mkdtempSync(join(tmpdir(), 'kubette-volume-ownership-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('fsGroup', () => {
  it('gives emptyDir, ConfigMap and Secret volumes to the group: setgid dirs, group-readable files, writable where the volume is', async () => {
    const p: Pod = {
      metadata: { name: 'p', namespace: 'ns', uid: 'fsgroup-uid' },
      spec: {
        securityContext: { fsGroup: 2345 },
        containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'scratch', mountPath: '/s', subPath: 'a/b' }] }],
        volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cm', defaultMode: 0o400 } }],
      },
    };
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data: { k: 'v' } };
    const sources: VolumeSources = { configMaps: new Map([['cm', cm]]), secrets: new Map() } as unknown as VolumeSources;
    const volumes = await prepareVolumes(p, root, sources);
    const scratch = statSync(volumes.get('scratch')!.hostPath);
    expect([scratch.gid, scratch.mode & 0o7777]).toEqual([2345, 0o2777]);
    const file = statSync(join(volumes.get('cfg')!.hostPath, 'k'));
    expect([file.gid, file.mode & 0o777]).toEqual([2345, 0o440]);
    // A subPath made by the kubelet has the volume root's mode, and the group through setgid.
    await prepareSubPaths(p.spec.containers[0]!, volumes, new Map());
    const sub = statSync(join(volumes.get('scratch')!.hostPath, 'a', 'b'));
    expect([sub.gid, sub.mode & 0o7777]).toEqual([2345, 0o2777]);
    // A new fsGroup re-owns the ConfigMap's files (they are written again).
    p.spec.securityContext = { fsGroup: 3456 };
    const again = await prepareVolumes(p, root, sources);
    expect(statSync(join(again.get('cfg')!.hostPath, 'k')).gid).toBe(3456);
  });
});

