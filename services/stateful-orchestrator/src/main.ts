#!/usr/bin/env node
/**
 * spillway-stateful-orchestrator: FederatedStatefulSets split into ordinal ranges per member cluster.
 * Wiring only: the decisions live in core/, the reconcilers in controllers/.
 */
import { runService } from "@spillway/runtime";

await runService("stateful-orchestrator", async () => ({}));
