/** The local federation testbed as a library: bring it up and down, its topology, its processes, its kubectl. */
export { down, up, SYSTEM_NAMESPACE, type Federation } from "./federation.ts";
export * from "./topology.ts";
export { ProcessTable } from "./processes.ts";
export { bin, kubeconfigPath, repoRoot, testbedDir } from "./paths.ts";
export { apply, kubectl, runKubectl, type KubectlResult } from "./kubectl.ts";
export { metricsWriteUrl } from "./metrics-adapter.ts";
export { startFleetApi, stopFleetApi, type FleetApi } from "./fleet-api.ts";
