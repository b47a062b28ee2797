/** New replicas go only to members the gateway reports Ready. */
import { success, unschedulable, type Plugin } from "./plugin.ts";

export const clusterReady: Plugin = {
  name: "ClusterReady",
  filter: (_w, c) => (c.ready ? success : unschedulable(`cluster ${c.name} is not Ready`)),
};
