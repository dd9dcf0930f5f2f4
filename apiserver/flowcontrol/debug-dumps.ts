// /debug/api_priority_and_fairness/: what API Priority and Fairness is doing right now, as
// Kubernetes' apiserver prints it (`kubectl get --raw /debug/api_priority_and_fairness/dump_...`):
// a row per priority level, per queue, or per waiting request, comma-separated and aligned in
// columns the way Go's tabwriter aligns them (at least 8 wide, one space of padding).
import type { LevelDump, Work } from './dispatcher.js';

const MIN_WIDTH = 8;
const PADDING = 1;

/** Lines of cells joined by ",\t", aligned: every cell but a line's last padded to its column's width. */
export function aligned(rows: string[][]): string {
  const cells = rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? `${cell},` : cell)));
  const widths: number[] = [];
  for (const row of cells) row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? MIN_WIDTH, cell.length + PADDING)));
  return cells.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('')).join('\n') + '\n';
}

/** Seat-seconds as Kubernetes prints them (virtual times here are kept in seat-milliseconds). */
const seatSeconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(8)}ss`;

/** A duration in Go's notation, for the small ones here: 0s, 5ms, 2.5ms, 1.2s. */
function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const trim = (x: number) => String(Number(x.toFixed(6)));
  return ms < 1000 ? `${trim(ms)}ms` : `${trim(ms / 1000)}s`;
}

export function dumpPriorityLevels(levels: LevelDump[]): string {
  return aligned([
    ['PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests'],
    ...levels.map((l) => [l.name, String(l.activeQueues), String(l.idle), String(l.quiescing), String(l.waiting), String(l.executing)]),
  ]);
}

/** A row per queue; levels without queues (exempt, Reject) have none. */
export function dumpQueues(levels: LevelDump[]): string {
  return aligned([
    ['PriorityLevelName', 'Index', 'PendingRequests', 'ExecutingRequests', 'SeatsInUse', 'NextDispatchR', 'InitialSeatsSum', 'MaxSeatsSum', 'TotalWorkSum'],
    ...levels.flatMap((l) => l.queues.map((q) => [l.name, String(q.index), String(q.requests.length), String(q.executing), String(q.seatsInUse), seatSeconds(q.nextDispatchR), String(q.initialSeatsSum), String(q.maxSeatsSum), seatSeconds(q.totalWorkSum)]))
  ]);
}

export function dumpRequests(levels: LevelDump[], includeRequestDetails: boolean): string {
  const details = ['UserName', 'Verb', 'APIPath', 'Namespace', 'Name', 'APIVersion', 'Resource', 'SubResource'];
  const rows: string[][] = [['PriorityLevelName', 'FlowSchemaName', 'QueueIndex', 'RequestIndexInQueue', 'FlowDistingsher', 'ArriveTime', 'InitialSeats', 'FinalSeats', 'AdditionalLatency', ...(includeRequestDetails ? details : [])]];
  const finalSeats = (c: Work) => String(c.finalSeats ?? 0);
  for (const l of levels) {
    for (const q of l.queues) {
      q.requests.forEach((r, i) => {
        const a = r.about;
        rows.push([
          l.name,
          a?.flowSchema ?? '',
          String(q.index),
          String(i),
          a?.distinguisher ?? '',
          new Date(r.arrivedAt).toISOString(),
          String(r.cost.seats),
          finalSeats(r.cost),
          goDuration(r.cost.lingerMs ?? 0),
          ...(includeRequestDetails ? [a?.user ?? '', a?.verb ?? '', a?.path ?? '', a?.namespace ?? '', a?.name ?? '', a?.groupVersion ?? '', a?.resource ?? '', a?.subresource ?? ''] : []),
        ]);
      });
    }
  }
  return aligned(rows);
}
