/**
 * The local federation testbed as a library — the only way the e2e suite, the benchmarks and the
 * demo reach it: bring it up and down, its topology, its processes, its kubectl and Helm, the
 * fleet API, the chart's service identities.
 */
export { down, up, SYSTEM_NAMESPACE, type Federation } from "./federation.ts";
export * from "./topology.ts";
export { alive, delay, ProcessTable, tail, waitFor, type ProcessRecord } from "./processes.ts";
export { bin, binDir, buildDir, kubeconfigPath, repoRoot, testbedDir } from "./paths.ts";
export { apply, kubectl, runKubectl, type KubectlResult, type KubectlTarget } from "./kubectl.ts";
export { runCommand, type CommandResult } from "./run-command.ts";
export { probe, probeOk } from "./probe.ts";
export { CHART_DIR, helm, identityKubeconfig, RELEASE, runHelm, SERVICES, type ServiceName } from "./chart.ts";
export { metricsWriteUrl } from "./metrics-adapter.ts";
export { startFleetApi, stopFleetApi, type FleetApi } from "./fleet-api.ts";
export { weighSession } from "./session-weight.ts";
export { loadImage, runningHostNode, type HostNode } from "./host-node.ts";
export { buildah, buildahEnv, buildahOk, buildImage } from "./image.ts";
