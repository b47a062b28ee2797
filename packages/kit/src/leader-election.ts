/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics: the holder
 * renews every `retryPeriod`; a candidate takes the lease once `leaseDuration` has passed since
 * the holder's last renewal as this candidate observed it (its own clock, so clock skew between
 * replicas does not matter); a leader that cannot renew within `renewDeadline` steps down. Writes
 * use the Lease's resourceVersion, so two candidates can never both win the same term.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { isConflict, isNotFound } from "./errors.ts";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly opts: Required<Omit<LeaderElectionOptions, "onError">> & Pick<LeaderElectionOptions, "onError">;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewal = 0;
  /** The holder/renewTime we last saw and when we saw it change, for the expiry clock. */
  private observed: { record: string; at: number } | undefined;

  constructor(kubeConfig: KubeConfig, options: LeaderElectionOptions) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.opts = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      await this.release().catch((err: unknown) => this.opts.onError?.(err));
      this.setLeading(false);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.opts.retryPeriodMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const acquired = await this.tryAcquireOrRenew();
      if (acquired) this.lastRenewal = Date.now();
      if (acquired && !this.leading) this.setLeading(true);
      if (!acquired && this.leading) this.setLeading(false);
    } catch (err) {
      this.opts.onError?.(err);
      if (this.leading && Date.now() - this.lastRenewal > this.opts.renewDeadlineMs) this.setLeading(false);
    }
    this.schedule();
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) this.opts.onStartedLeading();
    else this.opts.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    // Lease times are MicroTime: the API refuses anything but six fractional digits.
    const now = new V1MicroTime();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.api.createNamespacedLease({ namespace, body: this.leaseBody(undefined, now, 0) });
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false;
        throw createErr;
      }
    }

    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const record = `${holder}/${String(spec.renewTime ?? "")}/${spec.leaseTransitions ?? 0}`;
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const durationMs = (spec.leaseDurationSeconds ?? this.opts.leaseDurationMs / 1000) * 1000;
    const expired = holder === "" || Date.now() - this.observed.at > durationMs;
    if (holder !== identity && !expired) return false;

    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    try {
      await this.api.replaceNamespacedLease({
        namespace,
        name,
        body: this.leaseBody(lease, holder === identity && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : now, transitions, now),
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private leaseBody(existing: V1Lease | undefined, acquireTime: V1MicroTime, transitions: number, renewTime = acquireTime): V1Lease {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...(existing?.metadata ?? {}), name: this.opts.name, namespace: this.opts.namespace },
      spec: {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: Math.ceil(this.opts.leaseDurationMs / 1000),
        acquireTime,
        renewTime,
        leaseTransitions: transitions,
      },
    };
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    const lease = await this.api.readNamespacedLease({ namespace, name });
    if (lease.spec?.holderIdentity !== identity) return;
    await this.api.replaceNamespacedLease({
      namespace,
      name,
      body: {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          acquireTime: lease.spec.acquireTime ? new V1MicroTime(lease.spec.acquireTime) : undefined,
          renewTime: new V1MicroTime(),
        },
      },
    });
  }
}
