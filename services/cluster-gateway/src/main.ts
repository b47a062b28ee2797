#!/usr/bin/env node
/**
 * spillway-cluster-gateway: member-cluster connections, health, capacity snapshots and the unified API view.
 * Wiring only: the decisions live in core/, the reconcilers in controllers/.
 */
import { runService } from "@spillway/runtime";

await runService("cluster-gateway", async () => ({}));
