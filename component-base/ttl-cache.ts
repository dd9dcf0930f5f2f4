// A bounded map whose entries expire: the answers of the apiserver's TokenReviews and
// SubjectAccessReviews, kept briefly by the servers that delegate to it. When full, the
// oldest entry goes.

interface Entry<T> {
  value: T;
  until: number;
}

export class TTLCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: T, ttlMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: this.now() + ttlMs });
  }
}
