// Completion indexes of Indexed Jobs as Kubernetes writes them in status.completedIndexes:
// sorted, comma-separated, runs of three or more consecutive indexes as "first-last" ("1,3-5").
// Held as sorted runs, never one entry per index: a Job may have two billion completions, and
// a status or success policy naming "0-2000000000" must cost a few numbers, not a set that size.

/** A set of indexes as sorted, disjoint, non-adjacent runs [first, last]. */
export class IndexSet {
  private runs: Array<[number, number]> = [];
  private count = 0;

  /** Parses "1,3-5" into the indexes below `limit`; malformed parts are skipped. */
  static parse(text: string | undefined, limit: number): IndexSet {
    const set = new IndexSet();
    for (const part of (text ?? '').split(',')) {
      const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
      if (!m) continue;
      const first = Number(m[1]);
      const last = Math.min(m[2] === undefined ? first : Number(m[2]), limit - 1);
      if (first <= last) set.addRun(first, last);
    }
    return set;
  }

  static of(indexes: Iterable<number>): IndexSet {
    const set = new IndexSet();
    for (const i of indexes) set.add(i);
    return set;
  }

  get size(): number {
    return this.count;
  }

  /** The position of the first run ending at or after `i`. */
  private find(i: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.runs[mid]![1] < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(i: number): boolean {
    const run = this.runs[this.find(i)];
    return run !== undefined && run[0] <= i;
  }

  add(i: number): void {
    this.addRun(i, i);
  }

  private addRun(first: number, last: number): void {
    // Merge every run that overlaps or touches [first, last].
    const at = this.find(first - 1);
    let lo = first;
    let hi = last;
    let end = at;
    while (end < this.runs.length && this.runs[end]![0] <= last + 1) {
      lo = Math.min(lo, this.runs[end]![0]);
      hi = Math.max(hi, this.runs[end]![1]);
      this.count -= this.runs[end]![1] - this.runs[end]![0] + 1;
      end++;
    }
    this.runs.splice(at, end - at, [lo, hi]);
    this.count += hi - lo + 1;
  }

  /** How many indexes this set and `other` share. */
  countCommon(other: IndexSet): number {
    let n = 0;
    let j = 0;
    for (const [a, b] of this.runs) {
      while (j < other.runs.length && other.runs[j]![1] < a) j++;
      for (let k = j; k < other.runs.length && other.runs[k]![0] <= b; k++) n += Math.min(b, other.runs[k]![1]) - Math.max(a, other.runs[k]![0]) + 1;
    }
    return n;
  }

  /** Up to `max` indexes below `limit` in none of `sets`, smallest first; walks runs, not indexes. */
  static firstMissing(limit: number, sets: IndexSet[], max: number): number[] {
    const out: number[] = [];
    let i = 0;
    while (i < limit && out.length < max) {
      const covering = sets.map((s) => s.runs[s.find(i)]).find((run) => run !== undefined && run[0] <= i);
      if (covering) i = covering[1] + 1;
      else out.push(i++);
    }
    return out;
  }

  format(): string {
    const parts: string[] = [];
    for (const [a, b] of this.runs) {
      if (b - a >= 2) parts.push(`${a}-${b}`);
      else for (let k = a; k <= b; k++) parts.push(String(k));
    }
    return parts.join(',');
  }
}
