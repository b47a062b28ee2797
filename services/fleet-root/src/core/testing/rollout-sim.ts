/**
 * A step model of the Deployment controller's rolling update (k8s.io/kubernetes
 * pkg/controller/deployment/rolling.go: scale the new ReplicaSet up within replicas + maxSurge,
 * clean up unhealthy old pods, then scale old pods down while replicas − maxUnavailable stay
 * available), and of its scaling events (sync.go `scale`: a lone active ReplicaSet takes the new
 * size, two are scaled in proportion, available pods or not). A paused Deployment is scaled on
 * every pass, not only on a scaling event (syncDeployment calls `sync` for it): paused mid-step, its
 * ReplicaSets are brought back up to replicas + maxSurge.
 * Used to prove the federated plan keeps the fleet-wide bounds, against the same model running one
 * Deployment of the federated size as the reference.
 *
 * With a `capacity`, a member runs at most that many pods; the others stay Pending (never
 * available) until room frees, as in a full cluster.
 */

export interface SimPod {
  rev: number;
  /** Tick at which the pod becomes available (Ready for minReadySeconds). */
  availableAt: number;
}

export interface SimDeployment {
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  paused: boolean;
  rev: number;
  pods: SimPod[];
  /** Pods that can run at once; undefined = unlimited. */
  capacity?: number;
  /** spec.replicas at the last step, to see scaling events. */
  lastReplicas?: number;
}

const PENDING = Number.POSITIVE_INFINITY;
export const isBound = (p: SimPod) => p.availableAt !== PENDING;

export const isAvailable = (p: SimPod, now: number) => now >= p.availableAt;

/** One controller pass at tick `now`; `readyDelay` draws each new pod's start-to-available delay. */
export function stepDeployment(d: SimDeployment, now: number, readyDelay: () => number): void {
  const isNew = (p: SimPod) => p.rev === d.rev;
  const start = () => (d.capacity === undefined ? now + readyDelay() : PENDING);
  if (d.paused || (d.lastReplicas !== undefined && d.lastReplicas !== d.replicas)) scale(d, now, start);
  d.lastReplicas = d.replicas;
  bind(d, now, readyDelay);
  if (d.paused) return;
  const newPods = d.pods.filter(isNew);
  // Scale the new ReplicaSet up within replicas + maxSurge.
  if (newPods.length < d.replicas) {
    const room = d.replicas + d.maxSurge - d.pods.length;
    const add = Math.min(d.replicas - newPods.length, Math.max(0, room));
    for (let i = 0; i < add; i++) d.pods.push({ rev: d.rev, availableAt: start() });
  } else if (newPods.length > d.replicas) {
    // Scaled down: unavailable new pods go first.
    const excess = newPods.length - d.replicas;
    const order = [...newPods].sort((a, b) => Number(isAvailable(a, now)) - Number(isAvailable(b, now)));
    const drop = new Set(order.slice(0, excess));
    d.pods = d.pods.filter((p) => !drop.has(p));
  }
  const minAvailable = d.replicas - d.maxUnavailable;
  const available = () => d.pods.filter((p) => isAvailable(p, now)).length;
  const newUnavailable = d.pods.filter((p) => isNew(p) && !isAvailable(p, now)).length;
  // Clean up unhealthy old pods first, then scale old pods down within the availability floor.
  let maxScaledDown = d.pods.length - minAvailable - newUnavailable;
  if (maxScaledDown > 0) {
    const unhealthyOld = d.pods.filter((p) => !isNew(p) && !isAvailable(p, now)).slice(0, maxScaledDown);
    d.pods = d.pods.filter((p) => !unhealthyOld.includes(p));
    maxScaledDown -= unhealthyOld.length;
  }
  const canScaleDown = available() - minAvailable;
  if (canScaleDown > 0) {
    const oldAvailable = d.pods.filter((p) => !isNew(p) && isAvailable(p, now)).slice(0, canScaleDown);
    d.pods = d.pods.filter((p) => !oldAvailable.includes(p));
  }
  // Old pods beyond what replicas allow once the new ones are all up (scale-down of old RS).
  const old = d.pods.filter((p) => !isNew(p));
  const overflow = d.pods.length - d.replicas - d.maxSurge;
  if (overflow > 0) {
    const drop = new Set(old.slice(0, overflow));
    d.pods = d.pods.filter((p) => !drop.has(p));
  }
  bind(d, now, readyDelay);
}

/** Pending pods start where the capacity has room, oldest first. */
function bind(d: SimDeployment, now: number, readyDelay: () => number): void {
  if (d.capacity === undefined) return;
  let room = d.capacity - d.pods.filter(isBound).length;
  for (const p of d.pods) {
    if (room <= 0) break;
    if (!isBound(p)) {
      p.availableAt = now + readyDelay();
      room--;
    }
  }
}

/** A scaling event: one active ReplicaSet takes the new size; two share the change in proportion. */
function scale(d: SimDeployment, now: number, start: () => number): void {
  const revs = [...new Set(d.pods.map((p) => p.rev))];
  const resize = (rev: number, size: number) => {
    const mine = d.pods.filter((p) => p.rev === rev);
    if (size >= mine.length) {
      for (let i = mine.length; i < size; i++) d.pods.push({ rev, availableAt: start() });
      return;
    }
    // The ReplicaSet controller deletes Pending and unready pods first.
    const drop = new Set([...mine].sort((a, b) => Number(isAvailable(a, now)) - Number(isAvailable(b, now))).slice(0, mine.length - size));
    d.pods = d.pods.filter((p) => !drop.has(p));
  };
  if (revs.length <= 1) return resize(revs[0] ?? d.rev, d.replicas);
  const allowed = d.replicas > 0 ? d.replicas + d.maxSurge : 0;
  const sizes = new Map(revs.map((r) => [r, d.pods.filter((p) => p.rev === r).length]));
  const total = d.pods.length;
  let left = allowed - total;
  // Largest first, each its proportional part of the change, the last one the rest.
  const order = [...revs].sort((a, b) => sizes.get(b)! - sizes.get(a)!);
  order.forEach((r, i) => {
    const part = i === order.length - 1 ? left : Math.round(((allowed - total) * sizes.get(r)!) / total);
    const change = left < 0 ? Math.max(part, left) : Math.min(part, left);
    resize(r, sizes.get(r)! + change);
    left -= change;
  });
}

export function complete(d: SimDeployment, now: number): boolean {
  return d.pods.length === d.replicas && d.pods.every((p) => p.rev === d.rev && isAvailable(p, now));
}
