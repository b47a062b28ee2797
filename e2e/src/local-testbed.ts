/** Tests that need the local testbed itself, not just four clusters. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { it } from "@jest/globals";
import { ProcessTable, testbedDir } from "@spillway/testbed";

/**
 * A test that needs a process of the local testbed — to take a member's API server down through
 * its process table, or metrics-server over kwok's emulated usage — which other clusters (kind,
 * real ones) do not have. Elsewhere it is skipped under a name that says so,
 * and the reason is printed, so nobody mistakes it for having passed.
 */
export function itOnLocalTestbed(
  name: string,
  fn: () => Promise<void>,
  process: string,
  need = `stops and restarts ${process}, a process it runs`,
  timeoutMs?: number,
): void {
  const local =
    existsSync(join(testbedDir, "state.json")) && new ProcessTable(testbedDir).readState().processes.some((p) => p.name === process);
  if (local) {
    it(name, fn, timeoutMs);
    return;
  }
  const why = `needs the local testbed: ${need}`;
  console.warn(`skipped "${name}": ${why}`);
  // Skipped for a reason given in its name and printed above: outside the local testbed there is no
  // process table to stop an API server through (and no safe way to take one down), nor kwok's
  // annotation-driven pod usage for metrics-server to report.
  it.skip(`${name} [${why}]`, fn);
}
