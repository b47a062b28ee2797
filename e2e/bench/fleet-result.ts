/** What one fleet's run of the scale bench reports (scale-fleet.ts prints it as its last line). */

/** Where a workload's time goes, each from its own histogram. */
export type TimingKey =
  | "schedulerQueueWait"
  | "schedulerReconcile"
  | "hostPlacementWrite"
  | "fleetRootQueueWait"
  | "fleetRootReconcile"
  | "memberDeploymentWrite";
/** A histogram's summary: mean, and the bucket bound the 99th percentile is under (null: past the last). */
export interface Timing {
  count: number;
  meanMs: number;
  p99AtMostMs: number | null;
}

/**
 * Latencies of a paced phase, and how long Spillway's sends took (each waits for the one before
 * to be accepted; runs since 2026-12-06). The floor's paced phase is sent at the same moments.
 */
export interface Paced {
  p50: number;
  p99: number;
  sentOverSeconds?: number;
}

export interface PhaseCpu {
  busy: number;
  elapsedSeconds?: number;
  seconds: Record<string, number>;
}

export interface FleetResult {
  members: number;
  idc: number;
  cloud: number;
  upSeconds: number;
  workloads: number;
  intervalMs: number;
  memberObjects: number;
  paced: Paced;
  burst: { p50: number; p99: number; acceptMs: number };
  /** The same member Deployments sent straight to the members, paced and at once: what Spillway cannot beat. */
  floor: { paced: Paced; burst: { p50: number; p99: number; acceptMs: number } };
  /** apply → the replica available in every member, for Spillway's phases and the floor's. */
  available: Record<"paced" | "burst" | "floor-paced" | "floor-burst", { p50: number; p99: number }>;
  toPlacement: { paced: { p50: number; p99: number }; burst: { p50: number; p99: number } };
  timings: Record<"paced" | "burst", Record<TimingKey, Timing>>;
  /** Requests per workload (host writes by resource and verb) and per member Deployment (member GET/APPLY). */
  requests: Record<
    "paced" | "burst",
    {
      /** How long the phase's requests were counted over (runs since 2026-12-06). */
      seconds?: number;
      hostWritesPerWorkload: Record<string, number>;
      memberCallsPerDeployment: Record<string, number>;
    }
  >;
  /**
   * The machine's busy share (1 = both cores) and the CPU seconds of each group of processes, per
   * phase; the floor's paced phase and the phases' lengths only in runs since 2026-12-06.
   */
  cpu: Record<"paced" | "burst", PhaseCpu> & { "floor-paced"?: PhaseCpu };
  memoryMiB: Record<string, number>;
  watchesPerMember: number[];
  connectionsPerMember: number[];
}
