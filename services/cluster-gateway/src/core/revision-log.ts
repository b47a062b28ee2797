/**
 * A bounded log of changes in revision order, oldest first: the keyspace's window for watch resume
 * and reads at a past revision. Dropping the oldest entries moves a head index and only now and
 * then copies what is kept, so a full window costs the same per change as an empty one; shifting
 * the array on every change did not (at 100k pods it was the gateway's largest self time).
 */
export interface Revisioned {
  revision: number;
}

export class RevisionLog<T extends Revisioned> {
  /** Dropped entries are cleared to undefined until the next copy, so they are not kept alive. */
  private items: (T | undefined)[] = [];
  /** Index in `items` of the oldest entry kept. */
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** The i-th entry kept, 0 the oldest. */
  at(i: number): T | undefined {
    return i >= 0 && i < this.length ? this.items[this.head + i]! : undefined;
  }

  push(entry: T): void {
    this.items.push(entry);
  }

  /** Drops the `n` oldest entries and returns them, oldest first. */
  dropOldest(n: number): T[] {
    const k = Math.min(Math.max(n, 0), this.length);
    const dropped = this.items.slice(this.head, this.head + k) as T[];
    this.items.fill(undefined, this.head, this.head + k);
    this.head += k;
    // Copy once the dropped prefix outweighs what is kept: each entry is copied O(1) times on average.
    if (this.head > this.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** How many entries have a revision at or below `revision`: the index of the first one above it. */
  countThrough(revision: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[this.head + mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The entries with a revision above `revision`, oldest first. */
  *after(revision: number): Generator<T> {
    for (let i = this.head + this.countThrough(revision); i < this.items.length; i++) yield this.items[i]!;
  }

  /** The entries with a revision above `revision`, newest first. */
  *newestAbove(revision: number): Generator<T> {
    for (let i = this.items.length - 1; i >= this.head && this.items[i]!.revision > revision; i--) yield this.items[i]!;
  }
}
