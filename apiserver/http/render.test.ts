// Tables of cached objects held as bytes: each response's ages are of its own time, and a pod's
// cells are the ones kubectl shows, without parsing the objects again for every response.
import { describe, expect, it } from 'vitest';
import { findResource, resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/types/meta.js';
import { CachedObject } from '../storage/cached-object.js';
import { tableJSON } from './render.js';

const pods = findResource('', 'v1', 'pods')!;
const output = { kind: 'table' as const, metaVersion: 'v1' as const, yaml: false, protobuf: false, jsonFallback: false };
const created = Date.parse('2026-01-01T00:00:00Z');

const pod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{ manager: 'x', operation: 'Update' }] },
  spec: { containers: [{ name: 'a', image: 'busybox' }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'a', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:30:00Z' } } }],
  },
});

const rows = (o: CachedObject, now: number) => (JSON.parse(tableJSON(pods, [o], { resourceVersion: '5' }, { output, includeObject: 'None', now })) as { rows: Array<{ cells: unknown[] }> }).rows;

describe('Tables of objects held as bytes', () => {
  it('gives every response its own ages and the same other cells as a parsed object', () => {
    const lean = new CachedObject('/registry/pods/default/web', 5, pod()).compact(false);
    const parsed = new CachedObject('/registry/pods/default/web', 5, pod()).compact(true);
    const hour = created + 3_600_000;
    expect(rows(lean, hour)).toEqual(rows(parsed, hour));
    expect(rows(lean, hour)[0]!.cells.slice(0, 5)).toEqual(['web', '1/1', 'Running', '2 (30m ago)', '60m']);
    // A day later, from the memo: ages move, the rest stays.
    expect(rows(lean, created + 86_400_000)[0]!.cells.slice(0, 5)).toEqual(['web', '1/1', 'Running', '2 (23h ago)', '24h']);
  });
});

describe('time-dependent columns', () => {
  it('every built-in column that takes the time says what it reads, so Tables of cached objects need not parse them', () => {
    const missing = resources.flatMap((r) => r.columns.filter((c) => c.cell.length >= 2 && !c.reads).map((c) => `${r.plural}/${c.name}`));
    expect(missing).toEqual([]);
  });
});
