// The /debug/api_priority_and_fairness/ dumps: Kubernetes' columns, aligned as Go's tabwriter does.
import { describe, expect, it } from 'vitest';
import { aligned, dumpPriorityLevels, dumpQueues, dumpRequests } from './debug-dumps.js';
import { Dispatcher, type LevelLimits } from './dispatcher.js';

describe('APF debugging dumps', () => {
  it('aligns comma-separated cells in columns at least 8 wide, the last cell of a line left as it is', () => {
    expect(aligned([['PriorityLevelName', 'ActiveQueues', 'IsIdle'], ['system', '0', 'true'], ['a', 'b', 'c']])).toBe(
      ['PriorityLevelName, ActiveQueues, IsIdle', 'system,            0,            true', 'a,                 b,            c', ''].join('\n'),
    );
    expect(aligned([['x', 'y']])).toBe('x,      y\n');
  });

  it('shows each level, its queues and the requests waiting in them', async () => {
    const level: LevelLimits = { nominal: 1, lendable: 0, borrowing: 0, queuing: { queues: 2, handSize: 1, queueLengthLimit: 5 } };
    const d = new Dispatcher({ waitLimitMs: 5000, now: () => 0 });
    d.configure(new Map<string, LevelLimits>([['exempt', { exempt: true, nominal: 0, lendable: 0, borrowing: 600 }], ['q', level]]));
    const running = d.tryAdmit('q', 'fs\0alice')!;
    const about = { flowSchema: 'fs', distinguisher: 'alice', user: 'alice', verb: 'create', path: '/api/v1/namespaces/ns/configmaps', namespace: 'ns', name: '', groupVersion: 'v1', resource: 'configmaps', subresource: '' };
    const waiting = d.wait('q', 'fs\0alice', undefined, { seats: 1, finalSeats: 2, lingerMs: 5 }, about);
    const levels = d.dump();

    const byLevel = dumpPriorityLevels(levels).trim().split('\n');
    expect(byLevel[0]).toMatch(/^PriorityLevelName, +ActiveQueues, +IsIdle, +IsQuiescing, +WaitingRequests, +ExecutingRequests$/);
    expect(byLevel).toContainEqual(expect.stringMatching(/^q, +1, +false, +false, +1, +1$/));
    expect(byLevel).toContainEqual(expect.stringMatching(/^exempt, +0, +true, +false, +0, +0$/));

    const queues = dumpQueues(levels).trim().split('\n');
    expect(queues[0]).toMatch(/^PriorityLevelName, +Index, +PendingRequests, +ExecutingRequests, +SeatsInUse, +NextDispatchR, +InitialSeatsSum, +MaxSeatsSum, +TotalWorkSum$/);
    expect(queues.some((l) => l.startsWith('exempt'))).toBe(false);
    // Both queues of the level; the busy one with its waiting request's seats and its work (3 ms a seat, plus two seats for 5 ms).
    expect(queues.filter((l) => l.startsWith('q,'))).toHaveLength(2);
    expect(queues).toContainEqual(expect.stringMatching(/^q, +\d, +1, +1, +1, +0\.00300000ss, +1, +2, +0\.01300000ss$/));

    const requests = dumpRequests(levels, true).trim().split('\n');
    expect(requests[0]).toMatch(/FlowDistingsher, +ArriveTime, +InitialSeats, +FinalSeats, +AdditionalLatency, +UserName, +Verb, +APIPath/);
    expect(requests[1]).toMatch(/^q, +fs, +\d, +0, +alice, +\d{4}-\d\d-\d\dT[\d:.]+Z, +1, +2, +5ms, +alice, +create, +\/api\/v1\/namespaces\/ns\/configmaps, +ns, +, +v1, +configmaps, *$/);
    expect(dumpRequests(levels, false).trim().split('\n')[1]).toMatch(/5ms$/);
    running();
    (await waiting)();
  });
});
