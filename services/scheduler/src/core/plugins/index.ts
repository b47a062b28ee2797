/** The plugins in the order they run. */
import { clusterAffinity } from "./cluster-affinity.ts";
import { clusterReady } from "./cluster-ready.ts";
import { clusterTaints } from "./cluster-taints.ts";
import { tierOrder } from "./tier-order.ts";
import type { Plugin } from "./plugin.ts";

export const filterPlugins: Plugin[] = [clusterAffinity, clusterTaints, clusterReady];
export const scorePlugin: Plugin = tierOrder;
export type { Plugin } from "./plugin.ts";
