/**
 * IDC first: clusters fill in tier order (default idc, then cloud; `placement.tierOrder` overrides),
 * then by MemberCluster priority (lower first), then by name for a stable order.
 */
import type { Tier } from "../types.ts";
import type { Plugin } from "./plugin.ts";

const DEFAULT_ORDER: Tier[] = ["idc", "cloud"];

export const tierOrder: Plugin = {
  name: "TierOrder",
  score: (w, c) => {
    const order = w.placement.tierOrder?.length ? w.placement.tierOrder : DEFAULT_ORDER;
    const i = order.indexOf(c.tier);
    return [i < 0 ? order.length : i, c.priority, c.name];
  },
};
