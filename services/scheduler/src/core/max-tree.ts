/**
 * A max segment tree over node slots: finds the first node at or after an index whose value (free
 * CPU) is at least a need in O(log n), and updates one node in O(log n). First-fit over hundreds of
 * nodes then skips the full ones instead of visiting them.
 */
export class MaxTree {
  private readonly size: number;
  private readonly t: Float64Array;
  readonly length: number;

  constructor(values: readonly number[]) {
    this.length = values.length;
    let size = 1;
    while (size < values.length) size *= 2;
    this.size = size;
    this.t = new Float64Array(2 * size).fill(-Infinity);
    values.forEach((v, i) => (this.t[size + i] = v));
    for (let i = size - 1; i >= 1; i--) this.t[i] = Math.max(this.t[2 * i]!, this.t[2 * i + 1]!);
  }

  get max(): number {
    return this.t[1]!;
  }

  update(index: number, value: number): void {
    let i = index + this.size;
    this.t[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) this.t[i] = Math.max(this.t[2 * i]!, this.t[2 * i + 1]!);
  }

  /** The first index >= `from` whose value is >= `need`, or -1. */
  firstAtLeast(from: number, need: number): number {
    if (from >= this.length) return -1;
    return this.descend(1, 0, this.size - 1, from, need);
  }

  private descend(node: number, lo: number, hi: number, from: number, need: number): number {
    if (hi < from || this.t[node]! < need) return -1;
    if (lo === hi) return lo;
    const mid = (lo + hi) >> 1;
    const left = this.descend(2 * node, lo, mid, from, need);
    return left >= 0 ? left : this.descend(2 * node + 1, mid + 1, hi, from, need);
  }
}
