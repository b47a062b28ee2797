/**
 * The shell's own behaviours, once for every workload kind, through the kit's in-memory fakes and
 * a minimal kind whose core places one `Widget` per placed member: fenced members are neither
 * watched, written nor waited for; someone else's object is never taken over and is reported; a
 * refused write becomes a condition; finalizing removes what was made everywhere but in a fenced
 * member; Events the core decides are recorded.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { KubeObject, MemberCluster, Placement } from "@spillway/api";
import { FakeMemberObjects, FakeObjects, memberFixture } from "@spillway/kit/testing";
import { mayCreate, unseenMembers, type MemberSight, type MemberWrite, type WorkloadDecision } from "@spillway/rules";
import { createLogger } from "@spillway/telemetry";
import { memberWorkloadReconciler, type MemberWorkloadKind } from "./member-workload-controller.ts";
import type { Manager } from "./member-writer.ts";
import { FakeMemberWriter } from "./testing/fake-member-writer.ts";

type Status = {
  replicas?: number;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  dependencyConflicts?: Array<{ name: string; objects: string[] }>;
};
type Workload = KubeObject<{ replicas: number }, Status>;
type Widget = KubeObject<
  { size: number; template?: { metadata: { labels: Record<string, string> }; spec: { volumes: Array<{ configMap: { name: string } }> } } },
  unknown
>;
type View = MemberSight & { widget: Widget | undefined };

const CLUSTERS = ["idc-1", "idc-2", "cloud-1"];
const ns = "shop";
const key = `${ns}/web`;
const MANAGED: Manager = { label: "spillway.dev/managed-by", value: "test", fieldManager: "spillway-test" };
const OWNER = "spillway.dev/test-owner";

const workload = (): Workload => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name: "web", namespace: ns, generation: 1 },
  spec: { replicas: 2 },
});

const placement = (clusters: string[]): Placement => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "Placement",
  metadata: { name: "federateddeployment-web", namespace: ns },
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
    workloadGeneration: 1,
    clusters: clusters.map((name) => ({ name, replicas: 1, reason: "fits" })),
    unschedulableReplicas: 0,
  },
});

const widget = (size: number, managed = true) => ({
  apiVersion: "test/v1",
  kind: "Widget",
  metadata: {
    name: "web",
    namespace: ns,
    labels: managed ? { [MANAGED.label]: MANAGED.value } : {},
    annotations: { [OWNER]: `${ns}/web` },
  },
  // Its pods would mount a ConfigMap: what the dependency look is about.
  spec: { size, template: { metadata: { labels: { app: "web" } }, spec: { volumes: [{ configMap: { name: "cfg" } }] } } },
});

/** Each member's look-up as the core last saw it, `member:lookup`. */
let lookups: string[] = [];

/** A core as small as a core can be: a Widget where placed, none elsewhere, after the restart gate. */
function decide(w: Workload, o: { placement: Placement | undefined; members: View[] }): WorkloadDecision<Status> {
  lookups = o.members.map((m) => `${m.name}:${m.lookup ?? "-"}`);
  const placed = new Set((o.placement?.spec.clusters ?? []).map((c) => c.name));
  const unseen = unseenMembers(
    o.members.map((m) => ({ ...m, registered: !!m.info && !m.fenced })),
    (c) => placed.has(c),
  ).map((m) => m.name);
  const usable = (m: View) => m.connected && m.synced && !m.fenced && !!m.info;
  const writes = o.members.flatMap((m): MemberWrite[] => {
    if (!usable(m)) return [];
    if (placed.has(m.name) && !m.widget && mayCreate(m.lookup))
      return [
        {
          cluster: m.name,
          action: "apply" as const,
          object: widget(w.spec.replicas),
          create: true,
          needs: [widget(0)],
          scaled: { cluster: m.name, from: "0", to: String(w.spec.replicas), way: "up" as const },
        },
      ];
    if (!placed.has(m.name) && m.widget) return [{ cluster: m.name, action: "delete" as const }];
    return [];
  });
  const fenced = o.members.filter((m) => m.fenced && m.widget);
  return {
    unseen,
    rounds: [writes],
    conflicts: o.members.filter((m) => m.lookup === "foreign").map((m) => m.name),
    retrySoon: false,
    status: { status: { replicas: o.members.filter((m) => m.widget).length }, conditions: [], complete: false },
    events: fenced.map((m) => ({ type: "Warning" as const, reason: "MemberFenced", note: `${m.name} is fenced` })),
  };
}

describe("member-workload shell", () => {
  let workloads: FakeObjects<Workload>;
  let placements: FakeObjects<Placement>;
  let members: FakeObjects<MemberCluster>;
  let widgets: FakeMemberObjects<Widget>;
  let writer: FakeMemberWriter;
  let events: string[];
  let ensured: string[];
  let reconcile: (key: string) => Promise<unknown>;

  const kind: MemberWorkloadKind<Workload, Status, View, WorkloadDecision<Status>> = {
    controller: "test-workload",
    kind: "FederatedDeployment",
    memberKind: { apiVersion: "test/v1", kind: "Widget" },
    finalizer: "spillway.dev/test",
    ownerAnnotation: OWNER,
    heldBefore: () => [],
    companions: () => [{ apiVersion: "test/v1", kind: "Gadget", namespace: ns, name: "web" }],
    view: (w, sight) => ({ ...sight, widget: widgets.cache(sight.name)?.get(w.metadata.name!, ns) }),
    decide,
    requeueMs: { retrySoon: 100, progressing: 1000 },
    concurrency: 1,
  };

  beforeEach(() => {
    workloads = new FakeObjects("FederatedDeployment");
    placements = new FakeObjects("Placement");
    members = new FakeObjects("MemberCluster", { namespaced: false });
    widgets = new FakeMemberObjects<Widget>("Widget", CLUSTERS, (o) => o.metadata.labels?.[MANAGED.label] === MANAGED.value);
    writer = new FakeMemberWriter({ Widget: widgets }, MANAGED);
    ensured = writer.ensured;
    events = [];
    for (const c of CLUSTERS) members.seed(memberFixture(c));
    reconcile = shell({ events: { record: async (_o, type, reason, note) => void events.push(`${type} ${reason}: ${note}`) } });
    workloads.seed(workload());
  });

  /** The shell over this test's fakes, with `extra` dependencies. */
  const shell = (extra: Partial<Parameters<typeof memberWorkloadReconciler<Workload, Status, View, WorkloadDecision<Status>>>[1]>) =>
    memberWorkloadReconciler(kind, {
      client: workloads,
      cache: workloads,
      placements,
      members,
      objects: widgets,
      writer,
      publish: () => undefined,
      log: createLogger("test", "silent"),
      ...extra,
    });

  const condition = (type: string) => workloads.get("web", ns)?.status?.conditions?.find((c) => c.type === type);
  const fence = (c: string) => members.seed({ ...memberFixture(c), spec: { ...memberFixture(c).spec, fenced: true } });

  it("makes the member object where placed, after what it needs, in a namespace made first", async () => {
    placements.seed(placement(["idc-1", "idc-2"]));
    await reconcile(key);
    expect(["idc-1", "idc-2"].map((c) => widgets.store(c).get("web", ns)?.spec?.size)).toEqual([2, 2]);
    expect(widgets.store("cloud-1").get("web", ns)).toBeUndefined();
    expect(writer.namespaces.sort()).toEqual(["idc-1/shop", "idc-2/shop"]);
    expect(ensured.sort()).toEqual(["idc-1/web", "idc-2/web"]);
    expect(workloads.get("web", ns)?.metadata.finalizers).toContain("spillway.dev/test");
    expect(condition("Scheduled")?.status).toBe("True");
  });

  it("neither watches, writes nor waits for a fenced member, and says what the core said of it", async () => {
    placements.seed(placement(["idc-1", "idc-2"]));
    await reconcile(key);
    fence("idc-2");
    // Not listed since start: a registered member would hold every write back; a fenced one does not.
    widgets.set("idc-2", { synced: false });
    placements.seed(placement(["idc-1", "cloud-1"]));
    await reconcile(key);
    expect(widgets.store("cloud-1").get("web", ns)).toBeDefined();
    // Its object stays: the member is declared gone, nothing is sent there.
    expect(widgets.store("idc-2").get("web", ns)).toBeDefined();
    expect(events.slice(1)).toEqual([
      "Normal ScalingMember: Scaled member Widget: cloud-1 up from 0 to 2",
      "Warning MemberFenced: idc-2 is fenced",
    ]);
  });

  it("holds every write while a member that may hold the workload has not been listed", async () => {
    widgets.set("idc-2", { synced: false });
    placements.seed(placement(["idc-1"]));
    const result = await reconcile(key);
    expect(widgets.store("idc-1").get("web", ns)).toBeUndefined();
    expect(result).toEqual({ requeueAfterMs: 1000 });
  });

  it("never takes over someone else's object of the same name, and says where it is", async () => {
    await widgets.store("idc-1").apply(widget(9, false) as unknown as Widget, "someone");
    placements.seed(placement(["idc-1", "idc-2"]));
    await reconcile(key);
    expect(widgets.store("idc-1").get("web", ns)?.spec?.size).toBe(9);
    expect(widgets.store("idc-2").get("web", ns)?.spec?.size).toBe(2);
    expect(condition("MemberConflict")).toMatchObject({ status: "True", reason: "UnmanagedWidgetExists" });
    expect(condition("MemberConflict")?.message).toContain("idc-1");
  });

  it("tells the core, where its watch holds nothing, whether the member holds none, its own not yet watched, or someone else's", async () => {
    // The watch has not brought idc-2's Widget of ours yet (our write a moment ago): found by the look-up.
    const read = async (member: MemberCluster, ref: Parameters<FakeMemberWriter["read"]>[1]) =>
      member.metadata.name === "idc-2" ? { managed: true } : writer.read(member, ref);
    await widgets.store("cloud-1").apply(widget(9, false) as unknown as Widget, "someone");
    placements.seed(placement(["idc-1", "idc-2", "cloud-1"]));
    await shell({ writer: Object.assign(Object.create(writer) as FakeMemberWriter, { read }) })(key);
    expect(lookups.sort()).toEqual(["cloud-1:foreign", "idc-1:absent", "idc-2:ours"]);
    // Ours may be written (it is ours); someone else's is left alone.
    expect(["idc-1", "idc-2", "cloud-1"].map((c) => widgets.store(c).get("web", ns)?.spec?.size)).toEqual([2, 2, 9]);
  });

  it("reports what a member refused as MemberWriteFailed, and clears it once the write lands", async () => {
    writer.refuse.set("idc-2", "spec: Forbidden: updates to this field are forbidden");
    placements.seed(placement(["idc-1", "idc-2"]));
    expect(await reconcile(key)).toEqual({ requeueAfterMs: 100 });
    expect(condition("MemberWriteFailed")).toMatchObject({ status: "True", reason: "MemberRefusedWrite" });
    expect(condition("MemberWriteFailed")?.message).toBe("idc-2: spec: Forbidden: updates to this field are forbidden");
    writer.refuse.clear();
    await reconcile(key);
    expect(condition("MemberWriteFailed")).toMatchObject({ status: "False", reason: "WritesApplied" });
  });

  it("tells a pass's scalings in one ScalingMember Event, naming only the members whose write landed", async () => {
    writer.refuse.set("idc-2", "spec: Forbidden: updates to this field are forbidden");
    placements.seed(placement(CLUSTERS));
    await reconcile(key);
    expect(events).toEqual([
      "Normal ScalingMember: Scaled member Widgets: idc-1 up from 0 to 2, cloud-1 up from 0 to 2",
      "Warning MemberWriteFailed: idc-2: spec: Forbidden: updates to this field are forbidden",
    ]);
  });

  it("finalizes in every member but a fenced one, leaving someone else's objects alone", async () => {
    placements.seed(placement(["idc-1", "idc-2"]));
    await reconcile(key);
    await widgets.store("cloud-1").apply(widget(9, false) as unknown as Widget, "someone");
    fence("idc-2");
    await workloads.delete({ namespace: ns, name: "web" });
    await reconcile(key);
    expect(widgets.store("idc-1").get("web", ns)).toBeUndefined();
    expect(widgets.store("idc-2").get("web", ns)).toBeDefined();
    expect(widgets.store("cloud-1").get("web", ns)?.spec?.size).toBe(9);
    expect(workloads.get("web", ns)).toBeUndefined();
  });

  describe("with dependencies followed from the host", () => {
    type ConfigMap = KubeObject<unknown, unknown> & { data?: Record<string, string>; [field: string]: unknown };
    const DEPS: Manager = { label: "spillway.dev/managed-by", value: "dependencies", fieldManager: "spillway-dependencies" };
    let configMaps: FakeMemberObjects<ConfigMap>;
    let onHost: boolean;
    const cfg = (managed: boolean): ConfigMap => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: ns, labels: managed ? { [DEPS.label]: DEPS.value } : {} },
      spec: undefined,
      data: { a: "1" },
    });

    beforeEach(() => {
      configMaps = new FakeMemberObjects<ConfigMap>("ConfigMap", CLUSTERS);
      onHost = true;
      reconcile = shell({
        dependencies: {
          copies: new FakeMemberWriter({ ConfigMap: configMaps }, DEPS),
          host: { read: async (_ns, ref) => (onHost && ref.name === "cfg" ? cfg(false) : undefined), services: async () => [] },
        },
      });
    });

    it("writes the workload to a member only once Spillway's copy of what its pods need is there", async () => {
      placements.seed(placement(["idc-1"]));
      expect(await reconcile(key)).toEqual({ requeueAfterMs: 100 });
      expect(widgets.store("idc-1").get("web", ns)).toBeUndefined();
      expect(condition("DependenciesReady")).toMatchObject({ status: "False", reason: "WaitingForDependencies" });
      expect(condition("DependenciesReady")?.message).toContain("ConfigMap/cfg in idc-1");
      await configMaps.store("idc-1").create(cfg(true));
      await reconcile(key);
      expect(widgets.store("idc-1").get("web", ns)).toBeDefined();
      expect(condition("DependenciesReady")).toMatchObject({ status: "True" });
    });

    it("is not written where the member holds its own object of a name the host holds, and says which", async () => {
      await configMaps.store("idc-2").create(cfg(false));
      await configMaps.store("idc-1").create(cfg(true));
      placements.seed(placement(["idc-1", "idc-2"]));
      await reconcile(key);
      expect(widgets.store("idc-1").get("web", ns)).toBeDefined();
      expect(widgets.store("idc-2").get("web", ns)).toBeUndefined();
      expect(condition("DependenciesReady")).toMatchObject({ status: "False", reason: "UnmanagedDependencyExists" });
      expect(condition("DependenciesReady")?.message).toContain("ConfigMap shop/cfg in idc-2");
    });

    it("lists a member kept out for a conflict in status, looks at it again each pass, and drops it once resolved", async () => {
      // The workload's own template (what a kept-out member is looked at with) mounts the ConfigMap.
      const current = workloads.get("web", ns) as Workload;
      workloads.seed({ ...current, spec: { ...current.spec, template: widget(0).spec.template } } as Workload);
      await configMaps.store("idc-2").create(cfg(false));
      placements.seed(placement(["idc-2"]));
      const first = (await reconcile(key)) as { requeueAfterMs: number };
      expect(workloads.get("web", ns)?.status?.dependencyConflicts).toEqual([{ name: "idc-2", objects: ["ConfigMap/cfg"] }]);
      expect(first.requeueAfterMs).toBeLessThanOrEqual(5_000);
      // The scheduler moves it (DependencyConflicts filter); idc-2 is still looked at, and still held.
      await configMaps.store("idc-1").create(cfg(true));
      placements.seed(placement(["idc-1"]));
      expect(((await reconcile(key)) as { requeueAfterMs: number }).requeueAfterMs).toBeLessThanOrEqual(5_000);
      expect(widgets.store("idc-1").get("web", ns)).toBeDefined();
      expect(workloads.get("web", ns)?.status?.dependencyConflicts).toEqual([{ name: "idc-2", objects: ["ConfigMap/cfg"] }]);
      expect(condition("DependenciesReady")).toMatchObject({ status: "False", reason: "UnmanagedDependencyExists" });
      // Deleted there: no longer listed, and nothing is awaited where the workload is not placed.
      await configMaps.store("idc-2").delete({ namespace: ns, name: "cfg" });
      await reconcile(key);
      expect(workloads.get("web", ns)?.status?.dependencyConflicts).toBeUndefined();
      expect(condition("DependenciesReady")).toMatchObject({ status: "True" });
    });

    it("awaits the Services that select the pods too (the pods' addresses are theirs)", async () => {
      const services = new FakeMemberObjects<ConfigMap>("Service", CLUSTERS);
      const selecting = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "front", namespace: ns },
        spec: { selector: { app: "web" } },
      };
      reconcile = shell({
        dependencies: {
          copies: new FakeMemberWriter({ ConfigMap: configMaps, Service: services }, DEPS),
          host: {
            read: async (_ns, ref) => (ref.kind === "ConfigMap" ? cfg(false) : ref.kind === "Service" ? (selecting as never) : undefined),
            services: async () => [selecting as never],
          },
        },
      });
      await configMaps.store("idc-1").create(cfg(true));
      placements.seed(placement(["idc-1"]));
      await reconcile(key);
      expect(widgets.store("idc-1").get("web", ns)).toBeUndefined();
      expect(condition("DependenciesReady")?.message).toContain("Service/front in idc-1");
    });

    it("uses a member's own object when the host has no source (as before dependencies were followed)", async () => {
      onHost = false;
      await configMaps.store("idc-1").create(cfg(false));
      placements.seed(placement(["idc-1", "cloud-1"]));
      await reconcile(key);
      expect(widgets.store("idc-1").get("web", ns)).toBeDefined();
      expect(widgets.store("cloud-1").get("web", ns)).toBeDefined();
      expect(condition("DependenciesReady")).toMatchObject({ status: "True" });
    });
  });

  it("keeps the finalizer while a member cannot be cleaned, and retries", async () => {
    placements.seed(placement(["idc-1"]));
    await reconcile(key);
    const failing = new FakeMemberWriter({ Widget: widgets }, MANAGED);
    failing.delete = async () => {
      throw new Error("connection refused");
    };
    writer.delete = failing.delete;
    await workloads.delete({ namespace: ns, name: "web" });
    expect(await reconcile(key)).toEqual({ requeueAfterMs: 2000 });
    expect(workloads.get("web", ns)?.metadata.deletionTimestamp).toBeDefined();
  });
});
