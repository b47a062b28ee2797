/**
 * Each FederatedHPA's current and desired replicas and whether it can scale, as gauges in
 * kube-state-metrics' shape for HPAs, from the status the autoscaler writes.
 */
import type { FederatedHPA } from "@spillway/api";
import { perObject, type ObjectGauge } from "@spillway/rules";

const condition = (h: FederatedHPA, type: string) => h.status?.conditions?.find((c) => c.type === type)?.status;

export function autoscalerGauges(list: () => readonly FederatedHPA[]): ObjectGauge[] {
  return [
    {
      name: "spillway_federatedhpa_status_current_replicas",
      description: "The target's replicas, fleet-wide, when the autoscaler last read them",
      samples: perObject(list, (h) => h.status?.currentReplicas ?? 0),
    },
    {
      name: "spillway_federatedhpa_status_desired_replicas",
      description: "The replicas the autoscaler last asked for",
      samples: perObject(list, (h) => h.status?.desiredReplicas ?? 0),
    },
    {
      name: "spillway_federatedhpa_able_to_scale",
      description: "1 while the AbleToScale condition is True (0 when it cannot read or write the target's scale)",
      samples: perObject(list, (h) => (condition(h, "AbleToScale") === "True" ? 1 : 0)),
    },
    {
      name: "spillway_federatedhpa_scaling_active",
      description: "1 while the ScalingActive condition is True (0 when no metric can be computed)",
      samples: perObject(list, (h) => (condition(h, "ScalingActive") === "True" ? 1 : 0)),
    },
  ];
}
