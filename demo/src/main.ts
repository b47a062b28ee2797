#!/usr/bin/env node
/** `node demo/src/main.ts` (make demo): the local federation, every service and the samples; returns once all is up. */
import { down, loadTopology, testbedDir } from "@spillway/testbed";
import { demo } from "./demo.ts";

const log = (line: string) => console.log(`demo: ${line}`);
try {
  await demo(loadTopology(), Number(process.env["SPILLWAY_DEMO_REPLICAS"] ?? 2), log);
} catch (err) {
  console.error(`demo: failed: ${err instanceof Error ? err.message : String(err)}`);
  // Half a federation is worse than none: stop what started, keep the logs for diagnosis.
  const stopped = await down();
  console.error(`demo: stopped ${stopped.length} processes that had started; logs are in ${testbedDir}/logs`);
  process.exit(1);
}
