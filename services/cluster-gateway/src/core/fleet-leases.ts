/**
 * etcd leases for the fleet API server's own bookkeeping keys (ADR 0008): a key put with a lease
 * goes when the lease's TTL runs out, as in etcd. kube-apiserver grants leases for objects with a
 * TTL (Events); keys of member objects carry their member's own expiry, so only bookkeeping keys
 * are attached here. kube-apiserver never keeps these leases alive, so neither is KeepAlive served. Pure.
 */
export class LeaseNotFoundError extends Error {
  constructor(id: bigint) {
    super(`lease ${id} not found`);
  }
}

interface Held {
  expiresAtMs: number;
  keys: Set<string>;
}

export class FleetLeases {
  private readonly leases = new Map<bigint, Held>();
  /** key → the lease it was last put with. */
  private readonly keyLease = new Map<string, bigint>();
  private next = 0n;

  grant(ttlSeconds: number, nowMs: number): bigint {
    const id = ++this.next;
    this.leases.set(id, { expiresAtMs: nowMs + ttlSeconds * 1000, keys: new Set() });
    return id;
  }

  /** A put of `key`: with a lease, it goes when that lease does; without (lease 0), it stays. */
  put(key: string, lease: bigint): void {
    if (lease !== 0n && !this.leases.has(lease)) throw new LeaseNotFoundError(lease);
    this.forget(key);
    if (lease === 0n) return;
    this.leases.get(lease)!.keys.add(key);
    this.keyLease.set(key, lease);
  }

  /** The key was deleted: no lease takes it again. */
  forget(key: string): void {
    const before = this.keyLease.get(key);
    if (before === undefined) return;
    this.leases.get(before)?.keys.delete(key);
    this.keyLease.delete(key);
  }

  /** Leases whose TTL ran out by `nowMs` end; the keys attached to them, to delete. */
  expire(nowMs: number): string[] {
    const gone: string[] = [];
    for (const [id, held] of this.leases) {
      if (held.expiresAtMs > nowMs) continue;
      this.leases.delete(id);
      for (const k of held.keys) {
        this.keyLease.delete(k);
        gone.push(k);
      }
    }
    return gone;
  }
}
