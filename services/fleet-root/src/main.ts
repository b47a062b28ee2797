#!/usr/bin/env node
/**
 * spillway-fleet-root: propagation of FederatedDeployments and the federated rollout with one global budget.
 * Wiring only: the decisions live in core/, the reconcilers in controllers/.
 */
import { runService } from "@spillway/runtime";

await runService("fleet-root", async () => ({}));
