/**
 * The fleet API's storage, as etcd's data model: keys with create/mod revisions and versions, one
 * global revision, a window of recent changes for watch resume and reads at a past revision
 * (ADR 0008). Pure: the clock is injected, nothing here does IO.
 *
 * Revisions are `max(last + 1, now in µs)`: monotonic within a process and, because they follow
 * the wall clock, a restarted gateway never hands out a revision it handed out before, without
 * storing anything. A reader asking for what fell out of the window gets `CompactedError`, which
 * kube-apiserver turns into `410 Gone`, so its clients relist.
 *
 * Every write costs O(log n) in the keys held and O(1) in the window, whatever their size: the
 * gateway writes here for every change a member reports, so a cost that grows with the pods held
 * becomes the event loop stalls that make members drop their watches.
 */

import sortedBtree from "sorted-btree";
import { RevisionLog } from "./revision-log.ts";

// A CommonJS package: its ES default is the module object, the class is its `default`.
const BTree = sortedBtree.default;

export interface StoredKv {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface KeyChange {
  revision: number;
  key: string;
  /** The value after the change; absent for a deletion. */
  kv?: StoredKv;
  /** The value before the change; absent for a creation. */
  prev?: StoredKv;
}

export interface RangeOptions {
  /** Exclusive end; absent: the single key `start`. */
  end?: string;
  limit?: number;
  /** Read at this revision (0 or absent: the current one). */
  revision?: number;
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: StoredKv[];
  more: boolean;
  count: number;
  revision: number;
}

export interface KeyspaceOptions {
  /** Microseconds since the epoch. */
  clockMicros: () => number;
  /** Changes kept for resume and past reads. */
  windowSize: number;
}

/** etcd's answer when history is gone: the reader starts over from a list. */
export class CompactedError extends Error {
  readonly compactRevision: number;
  constructor(compactRevision: number) {
    super("mvcc: required revision has been compacted");
    this.compactRevision = compactRevision;
  }
}

export class FutureRevisionError extends Error {
  constructor() {
    super("mvcc: required revision is a future revision");
  }
}

export type ChangeListener = (change: KeyChange) => void;

export class FleetKeyspace {
  private readonly entries = new Map<string, StoredKv>();
  /** All keys, in key order, for ranges. */
  private readonly sortedKeys = new BTree<string, undefined>(undefined, compareKeys);
  private readonly window = new RevisionLog<KeyChange>();
  /** Bytes of keys and values held now, and in the window; kept as they change, read by etcd's Status. */
  private entryBytes = 0;
  private windowBytes = 0;
  private readonly listeners = new Set<ChangeListener>();
  private readonly options: KeyspaceOptions;
  private current: number;
  /** Every change after this revision is in the window. */
  private floor: number;

  constructor(options: KeyspaceOptions) {
    this.options = options;
    this.current = Math.floor(options.clockMicros());
    this.floor = this.current;
  }

  get revision(): number {
    return this.current;
  }

  /** The oldest revision a watch may start at; reads may go back to `compactRevision - 1`. */
  get compactRevision(): number {
    return this.floor + 1;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of keys and values held now and in the change window: what etcd's Status calls the db size. */
  get bytes(): number {
    return this.entryBytes + this.windowBytes;
  }

  /**
   * etcd's Compact: history before `revision` is given up (watches and reads from earlier answer
   * compacted). The window also drops its oldest changes on its own, as it fills.
   */
  compact(revision: number): void {
    if (revision > this.current) throw new FutureRevisionError();
    if (revision <= this.compactRevision) throw new CompactedError(this.compactRevision);
    this.dropFromWindow(this.window.countThrough(revision - 1));
    this.floor = revision - 1;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets a key; a value equal to the stored one is no change and takes no revision. */
  put(key: string, value: string): KeyChange | undefined {
    const prev = this.entries.get(key);
    if (prev?.value === value) return undefined;
    const revision = this.nextRevision();
    const kv: StoredKv = prev
      ? { key, value, createRevision: prev.createRevision, modRevision: revision, version: prev.version + 1 }
      : { key, value, createRevision: revision, modRevision: revision, version: 1 };
    if (!prev) this.sortedKeys.set(key, undefined);
    this.setEntry(key, kv, prev);
    return this.record({ revision, key, kv, ...(prev ? { prev } : {}) });
  }

  /**
   * Gives a key a new revision with its value unchanged: a write the member took without any
   * visible change still has to move the revision kube-apiserver hands back to its client.
   */
  touch(key: string): KeyChange | undefined {
    const prev = this.entries.get(key);
    if (!prev) return undefined;
    const revision = this.nextRevision();
    const kv: StoredKv = { ...prev, modRevision: revision, version: prev.version + 1 };
    this.setEntry(key, kv, prev);
    return this.record({ revision, key, kv, prev });
  }

  delete(key: string): KeyChange | undefined {
    const prev = this.entries.get(key);
    if (!prev) return undefined;
    const revision = this.nextRevision();
    this.entries.delete(key);
    this.entryBytes -= kvBytes(prev);
    this.sortedKeys.delete(key);
    return this.record({ revision, key, prev });
  }

  /** The key as it is now: `get` without the machinery of a read at a past revision. */
  latest(key: string): StoredKv | undefined {
    return this.entries.get(key);
  }

  get(key: string, revision = 0): StoredKv | undefined {
    return this.range(key, { revision }).kvs[0];
  }

  /** etcd's Range: keys in [start, end) in key order, at the current or a past revision. */
  range(start: string, options: RangeOptions = {}): RangeResult {
    const at = options.revision && options.revision > 0 ? options.revision : this.current;
    if (at > this.current) throw new FutureRevisionError();
    if (at < this.floor) throw new CompactedError(this.compactRevision);
    const inRange = options.end === undefined ? (k: string) => k === start : (k: string) => k >= start && k < options.end!;
    // What changed after `at`, undone: the earliest change after `at` holds the value at `at`.
    const past = new Map<string, StoredKv | null>();
    if (at < this.current) {
      for (const c of this.window.newestAbove(at)) if (inRange(c.key)) past.set(c.key, c.prev ?? null);
    }
    const valueAt = (key: string): StoredKv | undefined => (past.has(key) ? (past.get(key) ?? undefined) : this.entries.get(key));

    let keys: string[];
    if (options.end === undefined) keys = [start];
    else {
      keys = [];
      this.sortedKeys.forRange(start, options.end, false, (k) => {
        keys.push(k);
      });
      // Keys deleted since `at` are not in the sorted index any more.
      const gone = [...past.keys()].filter((k) => !this.entries.has(k));
      if (gone.length) keys = [...new Set([...keys, ...gone])].sort(compareKeys);
    }
    const kvs: StoredKv[] = [];
    let count = 0;
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    for (const key of keys) {
      const kv = valueAt(key);
      if (!kv) continue;
      count++;
      if (!options.countOnly && kvs.length < limit) kvs.push(kv);
    }
    return { kvs, more: !options.countOnly && count > kvs.length, count, revision: this.current };
  }

  /** The changes to keys in [start, end) from `startRevision` on, oldest first. */
  changesSince(startRevision: number, start: string, end: string | undefined): KeyChange[] {
    if (startRevision > 0 && startRevision < this.compactRevision) throw new CompactedError(this.compactRevision);
    const from = startRevision > 0 ? startRevision : this.current + 1;
    const out: KeyChange[] = [];
    for (const c of this.window.after(from - 1)) {
      if (end === undefined ? c.key === start : c.key >= start && c.key < end) out.push(c);
    }
    return out;
  }

  private setEntry(key: string, kv: StoredKv, prev: StoredKv | undefined): void {
    this.entries.set(key, kv);
    this.entryBytes += kvBytes(kv) - (prev ? kvBytes(prev) : 0);
  }

  /** Drops the `n` oldest changes; returns the newest dropped. */
  private dropFromWindow(n: number): KeyChange | undefined {
    const dropped = this.window.dropOldest(n);
    for (const c of dropped) this.windowBytes -= changeBytes(c);
    return dropped[dropped.length - 1];
  }

  private nextRevision(): number {
    this.current = Math.max(this.current + 1, Math.floor(this.options.clockMicros()));
    return this.current;
  }

  private record(change: KeyChange): KeyChange {
    this.window.push(change);
    this.windowBytes += changeBytes(change);
    const dropped = this.dropFromWindow(this.window.length - this.options.windowSize);
    if (dropped) this.floor = dropped.revision;
    for (const l of this.listeners) l(change);
    return change;
  }
}

// etcd orders keys by bytes; all keys here are ASCII (Kubernetes names), where the two agree.
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const kvBytes = (kv: StoredKv) => kv.key.length + kv.value.length;
const changeBytes = (c: KeyChange) => c.key.length + (c.kv?.value.length ?? 0);

/** etcd's prefix range end: the prefix with its last byte incremented. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
