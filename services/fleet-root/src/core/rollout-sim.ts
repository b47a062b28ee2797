/**
 * A step model of the Deployment controller's rolling update (k8s.io/kubernetes
 * pkg/controller/deployment/rolling.go: scale the new ReplicaSet up within replicas + maxSurge,
 * clean up unhealthy old pods, then scale old pods down while replicas − maxUnavailable stay
 * available). Used to prove the federated plan keeps the fleet-wide bounds, against the same model
 * running one Deployment of the federated size as the reference.
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
}

export const isAvailable = (p: SimPod, now: number) => now >= p.availableAt;

/** One controller pass at tick `now`; `readyDelay` draws each new pod's start-to-available delay. */
export function stepDeployment(d: SimDeployment, now: number, readyDelay: () => number): void {
  const isNew = (p: SimPod) => p.rev === d.rev;
  if (d.paused) return;
  const newPods = d.pods.filter(isNew);
  // Scale the new ReplicaSet up within replicas + maxSurge.
  if (newPods.length < d.replicas) {
    const room = d.replicas + d.maxSurge - d.pods.length;
    const add = Math.min(d.replicas - newPods.length, Math.max(0, room));
    for (let i = 0; i < add; i++) d.pods.push({ rev: d.rev, availableAt: now + readyDelay() });
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
}

export function complete(d: SimDeployment, now: number): boolean {
  return d.pods.length === d.replicas && d.pods.every((p) => p.rev === d.rev && isAvailable(p, now));
}
