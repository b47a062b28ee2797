/**
 * Weighs a process's session on this machine's cores, for benches that run Spillway beside the
 * testbed's control planes. Linux shares the cores between sessions (autogroups) before it shares
 * them between threads, and every testbed process runs in a session of its own, so a process
 * among them gets one session's share however much it has to do, and a nice level on the process
 * alone moves nothing. A nice level on its session weighs it as a CPU request weighs a pod's
 * cgroup. Linux only; a negative level needs root.
 */
import { writeFileSync } from "node:fs";

export function weighSession(pid: number, nice: string): void {
  writeFileSync(`/proc/${pid}/autogroup`, nice);
}
