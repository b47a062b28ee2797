/**
 * How each FederatedDeployment's rollout stands, as gauges in kube-state-metrics' shape for
 * Deployments (spec replicas; updated and available replicas; the Progressing condition's
 * ProgressDeadlineExceeded), from the status fleet-root writes.
 */
import type { FederatedDeployment } from "@spillway/api";
import { perObject, type ObjectGauge } from "@spillway/rules";

export function rolloutGauges(list: () => readonly FederatedDeployment[]): ObjectGauge[] {
  return [
    {
      name: "spillway_federateddeployment_spec_replicas",
      description: "Replicas the FederatedDeployment asks for, fleet-wide",
      samples: perObject(list, (fd) => fd.spec.replicas ?? 1),
    },
    {
      name: "spillway_federateddeployment_status_replicas_updated",
      description: "Pods of the current template, fleet-wide",
      samples: perObject(list, (fd) => fd.status?.updatedReplicas ?? 0),
    },
    {
      name: "spillway_federateddeployment_status_replicas_available",
      description: "Available pods, fleet-wide",
      samples: perObject(list, (fd) => fd.status?.availableReplicas ?? 0),
    },
    {
      name: "spillway_federateddeployment_progress_deadline_exceeded",
      description: "1 while the rollout has made no progress for progressDeadlineSeconds (Progressing=False, ProgressDeadlineExceeded)",
      samples: perObject(list, (fd) =>
        fd.status?.conditions?.some((c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded")
          ? 1
          : 0,
      ),
    },
  ];
}
