#!/usr/bin/env node
/**
 * `node testbed/src/cli.ts up|down|status`: the local federation of real control planes (the demo,
 * which also starts the services and the samples, is `node demo/src/main.ts`).
 * `up` prints how long bring-up took and what runs where; `down` leaves no process behind.
 */
import { down, up } from "./federation.ts";
import { kubeconfigPath, testbedDir } from "./paths.ts";
import { alive, ProcessTable } from "./processes.ts";
import { loadTopology } from "./topology.ts";

const command = process.argv[2];
const log = (line: string) => console.log(`testbed: ${line}`);

try {
  if (command === "up") {
    const topology = loadTopology();
    const fed = await up(topology, log);
    log(`up in ${fed.seconds.toFixed(1)}s`);
    for (const c of fed.clusters) log(`  ${c.spec.name.padEnd(8)} ${c.server}  (${c.spec.role}${c.spec.tier ? `, ${c.spec.tier}` : ""})`);
    log(`  nats     ${fed.natsUrl} (JetStream)`);
    log(`kubeconfig: ${kubeconfigPath} (contexts: ${fed.clusters.map((c) => c.spec.name).join(", ")})`);
  } else if (command === "down") {
    const stopped = await down();
    log(stopped.length ? `stopped ${stopped.length} processes: ${stopped.join(", ")}` : "nothing was running");
  } else if (command === "status") {
    for (const p of new ProcessTable(testbedDir).readState().processes) {
      console.log(`${alive(p.pid) ? "running" : "DEAD   "} ${String(p.pid).padStart(7)} ${p.name.padEnd(34)} ${p.log}`);
    }
  } else {
    console.error("usage: cli.ts up|down|status");
    process.exit(2);
  }
} catch (err) {
  console.error(`testbed: ${command} failed: ${err instanceof Error ? err.message : String(err)}`);
  if (command === "up") {
    // Half a federation is worse than none: stop what started, keep the logs for diagnosis.
    const stopped = await down();
    console.error(`testbed: stopped ${stopped.length} processes that had started; logs are in ${testbedDir}/logs`);
  }
  process.exit(1);
}
