/** IDC first, with the workload's `placement.tierOrder` override: the fleet's one ranking rule. */
import { rankKey } from "@spillway/rules";
import type { Plugin } from "./plugin.ts";

export const tierOrder: Plugin = {
  name: "TierOrder",
  score: (w, c) => rankKey(c, w.placement.tierOrder),
  scoreKey: (w) => w.placement.tierOrder?.join(",") ?? "",
};
