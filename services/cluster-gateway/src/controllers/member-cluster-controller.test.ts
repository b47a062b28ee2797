/** The member-cluster status controller through the kit's fakes and a map for the registry. */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { MemberCluster } from "@spillway/api";
import { FakeObjects } from "@spillway/kit/testing";
import { initialHealth, observeProbe, defaultHealthConfig } from "../core/health.ts";
import { CAPACITY_REFRESH_MS } from "../core/member-status.ts";
import type { Totals } from "../core/snapshot-builder.ts";
import { FINALIZER, memberClusterReconciler, type MemberState } from "./member-cluster-controller.ts";

const member = (): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name: "idc-1", generation: 1 },
  spec: { tier: "idc", priority: 10, kubeconfigSecretRef: { namespace: "spillway-system", name: "idc-1", key: "kubeconfig" } },
});

const totals: Totals = { nodeCount: 4, allocatable: { cpu: 64_000 }, requested: { cpu: 8_000 } };

describe("member-cluster controller", () => {
  let members: FakeObjects<MemberCluster>;
  let registry: Map<string, MemberState>;
  let dropped: string[];
  let written: string[];
  let reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | void>;
  let clock: number;

  beforeEach(() => {
    clock = 1_000_000;
    members = new FakeObjects("MemberCluster", { namespaced: false });
    registry = new Map();
    dropped = [];
    written = [];
    reconcile = memberClusterReconciler({
      client: members,
      cache: members,
      registry,
      changes: { addHandler: () => undefined },
      dropSnapshot: async (n) => void dropped.push(n),
      statusWritten: (n) => void written.push(n),
      now: () => clock,
    });
  });

  const ready = () => members.get("idc-1")?.status?.conditions?.find((c) => c.type === "Ready");

  it("waits for the registry, then reports Ready with version and capacity, written once", async () => {
    members.seed(member());
    expect(await reconcile("idc-1")).toEqual({ requeueAfterMs: 500 });
    expect(members.get("idc-1")!.metadata.finalizers).toEqual([FINALIZER]);
    expect(members.get("idc-1")!.status).toBeUndefined();

    const health = observeProbe(initialHealth(0), { ok: true }, 1000, defaultHealthConfig);
    registry.set("idc-1", { connection: { health, kubernetesVersion: "v1.34.4", synced: true, builder: { totals: () => totals } } });
    expect(await reconcile("idc-1")).toEqual({ requeueAfterMs: 30_000 });
    expect(ready()).toMatchObject({ status: "True", reason: "Ready" });
    expect(members.get("idc-1")!.status).toMatchObject({ kubernetesVersion: "v1.34.4", nodeCount: 4 });
    await reconcile("idc-1");
    expect(written).toEqual(["idc-1"]);
  });

  it("writes a change of capacity alone at most every CAPACITY_REFRESH_MS, and a turn of Ready at once", async () => {
    members.seed(member());
    let requested = 8_000;
    let health = observeProbe(initialHealth(0), { ok: true }, 1000, defaultHealthConfig);
    const connection = () => ({ health, synced: true, builder: { totals: () => ({ ...totals, requested: { cpu: requested } }) } });
    registry.set("idc-1", { connection: connection() });
    await reconcile("idc-1");
    const cpu = () => members.get("idc-1")!.status!.requested!["cpu"];
    expect(cpu()).toBe("8");

    // A pod bound half a second later: held, and looked at again when the interval ends.
    clock += 500;
    requested = 9_000;
    expect(await reconcile("idc-1")).toEqual({ requeueAfterMs: CAPACITY_REFRESH_MS - 500 });
    expect(cpu()).toBe("8");
    clock += CAPACITY_REFRESH_MS - 500;
    expect(await reconcile("idc-1")).toEqual({ requeueAfterMs: 30_000 });
    expect(cpu()).toBe("9");

    // The member going unreachable is written at once, capacity and all.
    clock += 100;
    requested = 10_000;
    health = observeProbe(health, { ok: false, reason: "Unreachable", message: "connection refused" }, clock, {
      ...defaultHealthConfig,
      failureThreshold: 1,
    });
    registry.set("idc-1", { connection: connection() });
    await reconcile("idc-1");
    expect(ready()).toMatchObject({ status: "False", reason: "Unreachable" });
    expect(written).toHaveLength(3);
  });

  it("reports an unusable kubeconfig with its reason and message", async () => {
    members.seed(member());
    registry.set("idc-1", { configError: { reason: "KubeconfigInvalid", message: "Secret spillway-system/idc-1 does not exist" } });
    await reconcile("idc-1");
    expect(ready()).toMatchObject({ status: "False", reason: "KubeconfigInvalid", message: "Secret spillway-system/idc-1 does not exist" });
  });

  it("on deletion waits for the connection to close, drops the snapshot, then lets the member go", async () => {
    members.seed(member());
    registry.set("idc-1", {});
    await reconcile("idc-1");
    await members.delete({ name: "idc-1" });
    expect(await reconcile("idc-1")).toEqual({ requeueAfterMs: 200 });
    expect(dropped).toEqual([]);
    registry.delete("idc-1");
    await reconcile("idc-1");
    expect(dropped).toEqual(["idc-1"]);
    expect(members.get("idc-1")).toBeUndefined();
  });
});
