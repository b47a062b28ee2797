/** spec.placement.clusterNames and clusterSelector (on MemberCluster labels, tier and region included). */
import { matchesSelector } from "@spillway/rules";
import { success, unschedulable, type Plugin } from "./plugin.ts";

export const clusterAffinity: Plugin = {
  name: "ClusterAffinity",
  filter: (w, c) => {
    const names = w.placement.clusterNames;
    if (names && names.length > 0 && !names.includes(c.name)) return unschedulable(`cluster ${c.name} is not in placement.clusterNames`);
    if (!matchesSelector(c.labels, w.placement.clusterSelector))
      return unschedulable(`cluster ${c.name} does not match placement.clusterSelector`);
    const bound = w.placement.bounds?.[c.name];
    if (bound?.max === 0) return unschedulable(`placement sets maxReplicas 0 for ${c.name}`);
    return success;
  },
};
