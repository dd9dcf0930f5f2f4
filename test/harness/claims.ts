// Things test processes running side by side must not share (cluster slots, ports): each is a
// directory made with mkdir (atomic) holding its holder's pid, reclaimed once that process is gone.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes `dir` for this process; with `reclaim`, one whose holder has exited is taken over. */
export function claimDir(dir: string, reclaim: boolean): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return true;
    } catch {
      if (!reclaim || attempt === 1) return false;
      let holder = 0;
      try {
        holder = Number(readFileSync(join(dir, 'pid'), 'utf8').trim() || 0);
      } catch {
        return false; // its holder is writing the pid right now
      }
      if (!holder || holder === process.pid || alive(holder)) return false;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return false;
}
