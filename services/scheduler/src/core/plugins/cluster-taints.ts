/** MemberCluster taints (cordons) repel workloads that do not tolerate them. */
import { repels } from "../node-fit.ts";
import { success, unschedulable, type Plugin } from "./plugin.ts";

export const clusterTaints: Plugin = {
  name: "ClusterTaints",
  filter: (w, c) =>
    repels(c.taints, w.tolerations) ? unschedulable(`cluster ${c.name} has a taint the workload does not tolerate`) : success,
};
