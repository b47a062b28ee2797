/**
 * stateful-orchestrator benchmark on a private testbed (ports 24000+, kwok pods Ready 2 s after
 * start): wall time of a rolling update of a 24-ordinal FederatedStatefulSet (OrderedReady, 8
 * ordinals per member over idc-1, idc-2, cloud-1, updated highest first across the fleet) against
 * the same StatefulSet in one member, as a ratio (target ≤ 1.15: a fleet-wide one-at-a-time
 * rollout should cost only the hand-over between members). Also prints the time from apply to all
 * 24 ordinals Ready, OrderedReady across members against one member.
 *   node services/stateful-orchestrator/bench/rollout.bench.ts
 */
import { join } from "node:path";
import type { FederatedStatefulSet } from "@spillway/api";

const root = join(import.meta.dirname, "..", "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench-sts");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "24000";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "2000";
process.env["SPILLWAY_E2E_KUBECONFIG"] ??= join(process.env["SPILLWAY_TESTBED_DIR"], "kubeconfig");
process.env["SPILLWAY_E2E_NATS_URL"] ??= `nats://127.0.0.1:${Number(process.env["SPILLWAY_TESTBED_PORT_BASE"]) + 40}`;
const ORDINALS = 24;

const { up, down, loadTopology } = await import("@spillway/testbed");
const { startService, waitReady, stop, freePort } = await import("@spillway/e2e/services");
const { kubeConfigFor } = await import("@spillway/e2e/clusters");
const { AppsV1Api } = await import("@kubernetes/client-node");
const { ResourceClient, updateObject } = await import("@spillway/kit");
const { federatedStatefulSetKind } = await import("@spillway/api");

const members = ["idc-1", "idc-2", "cloud-1"] as const;
const { eventually } = await import("@spillway/e2e/helpers");
/** Polls until `fn` returns a value; a bench waits minutes, not the e2e default. */
const until = <T>(fn: () => Promise<T | undefined>, timeoutMs = 900_000) => eventually("bench step", fn, timeoutMs, 100);
const template = (name: string, image: string) => ({
  metadata: { labels: { app: name } },
  spec: { containers: [{ name: "app", image, resources: { requests: { cpu: "250m" } } }] },
});

const procs: Array<Awaited<ReturnType<typeof startService>>> = [];
try {
  await up(loadTopology(), (l) => console.log(`testbed: ${l}`));
  const gwPort = await freePort();
  procs.push(await startService("cluster-gateway", "bench-gw", [`--grpc-addr=127.0.0.1:${gwPort}`, "--lease-namespace=default"]));
  procs.push(await startService("scheduler", "bench-sched", [`--gateway-addr=127.0.0.1:${gwPort}`, "--lease-namespace=default"]));
  procs.push(await startService("stateful-orchestrator", "bench-orch", ["--lease-namespace=default"]));
  await Promise.all(procs.map((p) => waitReady(p, 60_000)));

  // One cluster: a plain StatefulSet in idc-1.
  const apps = kubeConfigFor("idc-1").makeApiClient(AppsV1Api);
  const single = "single";
  const c0 = performance.now();
  await apps.createNamespacedStatefulSet({
    namespace: "default",
    body: {
      metadata: { name: single },
      spec: { replicas: ORDINALS, serviceName: single, selector: { matchLabels: { app: single } }, template: template(single, "app:1") },
    },
  });
  const singleDone = (image: string) =>
    until(async () => {
      const s = await apps.readNamespacedStatefulSet({ namespace: "default", name: single });
      const st = s.status;
      return s.spec!.template.spec!.containers[0]!.image === image &&
        st?.observedGeneration === s.metadata!.generation &&
        st?.updatedReplicas === ORDINALS &&
        st?.readyReplicas === ORDINALS &&
        st?.currentRevision === st?.updateRevision
        ? true
        : undefined;
    });
  await singleDone("app:1");
  const singleCreateMs = performance.now() - c0;
  const s = await apps.readNamespacedStatefulSet({ namespace: "default", name: single });
  s.spec!.template.spec!.containers[0]!.image = "app:2";
  const t0 = performance.now();
  await apps.replaceNamespacedStatefulSet({ namespace: "default", name: single, body: s });
  await singleDone("app:2");
  const singleMs = performance.now() - t0;
  await apps.deleteNamespacedStatefulSet({ namespace: "default", name: single });

  // The fleet: 8 ordinals per member, OrderedReady.
  const fsts = new ResourceClient<FederatedStatefulSet>(kubeConfigFor("host"), federatedStatefulSetKind);
  const fed = "fed";
  const fedDone = () =>
    until(async () => {
      const o = await fsts.get({ namespace: "default", name: fed });
      const st = o.status;
      return st?.observedGeneration === o.metadata.generation &&
        st?.updatedReplicas === ORDINALS &&
        st?.availableReplicas === ORDINALS &&
        st?.currentRevision === st?.updateRevision
        ? true
        : undefined;
    });
  const f0 = performance.now();
  await fsts.create({
    apiVersion: "spillway.dev/v1alpha1",
    kind: "FederatedStatefulSet",
    metadata: { name: fed, namespace: "default" },
    spec: {
      replicas: ORDINALS,
      serviceName: fed,
      selector: { matchLabels: { app: fed } },
      podManagementPolicy: "OrderedReady",
      template: template(fed, "app:1"),
      placement: { clusters: members.map((m) => ({ name: m, maxReplicas: ORDINALS / members.length })) },
    },
  });
  await fedDone();
  const fedCreateMs = performance.now() - f0;
  const ranges = (await fsts.get({ namespace: "default", name: fed })).status?.rangeSummary;
  const t1 = performance.now();
  await updateObject(fsts, { namespace: "default", name: fed }, (o) => ({
    ...o,
    spec: { ...o.spec, template: template(fed, "app:2") },
  }));
  await until(async () => ((await fsts.get({ namespace: "default", name: fed })).status?.updateRevision ? true : undefined));
  await fedDone();
  const fedMs = performance.now() - t1;

  console.log(`\nstateful-orchestrator, ${ORDINALS} ordinals (OrderedReady, kwok pods Ready 2 s after start), ranges ${ranges}`);
  console.log(
    `  rolling update   one StatefulSet in idc-1 ${(singleMs / 1000).toFixed(1)} s; federated over 3 members ${(fedMs / 1000).toFixed(1)} s; ratio ${(fedMs / singleMs).toFixed(2)} (target <= 1.15)`,
  );
  console.log(
    `  creation         one StatefulSet ${(singleCreateMs / 1000).toFixed(1)} s; federated ${(fedCreateMs / 1000).toFixed(1)} s; ratio ${(fedCreateMs / singleCreateMs).toFixed(2)}`,
  );
} finally {
  await Promise.all(procs.map((p) => stop(p)));
  await down();
}
