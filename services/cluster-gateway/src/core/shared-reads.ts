/**
 * One read shared by every asker of the same thing while it is fresh: the first asker's read is
 * handed to everyone asking for that key within `maxAgeMs` of it (and to those asking while it is
 * in flight). A failed read is shared only with those already waiting on it; the next asker reads
 * again. Entries older than `maxAgeMs` are dropped as new reads are made, so the map holds at
 * most the keys asked for within one age.
 */
export class SharedReads<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(maxAgeMs: number, now: () => number = Date.now) {
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  get(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.now();
    const held = this.entries.get(key);
    if (held && now - held.at < this.maxAgeMs) return held.value;
    for (const [k, e] of this.entries) if (now - e.at >= this.maxAgeMs) this.entries.delete(k);
    const entry = { at: now, value: read() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  /** Keys held now (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }
}
