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

  /**
   * The first index >= `from` whose value is >= `need`, or -1: up from the leaf until a right
   * sibling holds one, then down to its leftmost such leaf. Iterative: first fit calls it once per
   * candidate node, tens of thousands of times a pass.
   */
  firstAtLeast(from: number, need: number): number {
    const t = this.t;
    if (from >= this.length || t[1]! < need) return -1;
    let i = from + this.size;
    if (t[i]! >= need) return from;
    while (i > 1) {
      if ((i & 1) === 0 && t[i + 1]! >= need) {
        i += 1;
        break;
      }
      i >>= 1;
    }
    if (i === 1) return -1;
    while (i < this.size) i = t[2 * i]! >= need ? 2 * i : 2 * i + 1;
    return i - this.size;
  }
}
