#!/usr/bin/env node
/**
 * spillway-scheduler: IDC-first placement of federated workloads, spilling to cloud and draining back.
 * Wiring only: the decisions live in core/, the reconcilers in controllers/.
 */
import { runService } from "@spillway/runtime";

await runService("scheduler", async () => ({}));
