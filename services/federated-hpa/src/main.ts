#!/usr/bin/env node
/**
 * spillway-federated-hpa: one global autoscaler per workload over metrics aggregated from every member.
 * Wiring only: the decisions live in core/, the reconcilers in controllers/.
 */
import { runService } from "@spillway/runtime";

await runService("federated-hpa", async () => ({}));
