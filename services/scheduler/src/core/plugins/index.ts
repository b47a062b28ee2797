/** The plugins in the order they run. */
import { clusterAffinity } from "./cluster-affinity.ts";
import { clusterReady } from "./cluster-ready.ts";
import { clusterTaints } from "./cluster-taints.ts";
import { dependencyConflicts } from "./dependency-conflicts.ts";
import { tierOrder } from "./tier-order.ts";
import type { Plugin } from "./plugin.ts";

export const filterPlugins: Plugin[] = [clusterAffinity, clusterTaints, dependencyConflicts, clusterReady];
export const scorePlugin: Plugin = tierOrder;
export type { Plugin } from "./plugin.ts";
