import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import {
  copyDiffers,
  followPlan,
  memberCopy,
  memberCopyFor,
  type CopyWrite,
  type DependencyCopy,
  type FollowedWorkload,
  type MemberCopies,
} from "./dependency-copies.ts";
import { dependencyKey, type DependencyRef } from "./workload-dependencies.ts";

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: "shop",
  uid: "u1",
  resourceVersion: "9",
  ...extra,
});

describe("memberCopy", () => {
  it("copies a ConfigMap's content, labelled as Spillway's, without the host's bookkeeping", () => {
    const copy = memberCopy("ConfigMap", {
      metadata: meta("cfg", {
        labels: { app: "web" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", note: "kept" },
        managedFields: [{}],
      }),
      data: { a: "1" },
    });
    expect(copy).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "cfg",
        namespace: "shop",
        labels: { app: "web", "spillway.dev/managed-by": "dependencies" },
        annotations: { note: "kept" },
      },
      data: { a: "1" },
    });
  });
  it("never copies a service-account token (the host's credential)", () => {
    expect(
      memberCopy("Secret", { metadata: meta("tok"), type: "kubernetes.io/service-account-token", data: { token: "x" } }),
    ).toBeUndefined();
  });
  it("leaves a Service's addresses and node ports to the member, but keeps a headless one headless", () => {
    const spec = {
      type: "NodePort",
      clusterIP: "10.0.0.9",
      clusterIPs: ["10.0.0.9"],
      ipFamilies: ["IPv4"],
      selector: { app: "web" },
      ports: [{ port: 80, nodePort: 30080 }],
    };
    expect(memberCopy("Service", { metadata: meta("web"), spec })?.spec).toEqual({
      type: "NodePort",
      selector: { app: "web" },
      ports: [{ port: 80 }],
    });
    expect(memberCopy("Service", { metadata: meta("db"), spec: { clusterIP: "None", clusterIPs: ["None"] } })?.spec).toEqual({
      clusterIP: "None",
    });
  });
  it("leaves the bound volume of a claim to the member", () => {
    expect(
      memberCopy("PersistentVolumeClaim", { metadata: meta("data"), spec: { volumeName: "pv-1", accessModes: ["ReadWriteOnce"] } })?.spec,
    ).toEqual({ accessModes: ["ReadWriteOnce"] });
  });
});

describe("memberCopyFor", () => {
  const registry = {
    metadata: meta("registry", {
      annotations: {
        "spillway.dev/overrides": JSON.stringify([
          {
            clusterSelector: { matchLabels: { "spillway.dev/tier": "cloud" } },
            patches: [{ op: "replace", path: "/data/.dockerconfigjson", value: "Y2xvdWQ=" }],
          },
        ]),
      },
    }),
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": "aWRj" },
  };
  it("applies the source's overrides that select the member, and only there; the instruction itself is not copied", () => {
    const cloud = memberCopyFor("Secret", registry, { name: "cloud-1", labels: { "spillway.dev/tier": "cloud" } })!;
    const idc = memberCopyFor("Secret", registry, { name: "idc-1", labels: { "spillway.dev/tier": "idc" } })!;
    expect(cloud.data).toEqual({ ".dockerconfigjson": "Y2xvdWQ=" });
    expect(idc.data).toEqual({ ".dockerconfigjson": "aWRj" });
    expect(cloud.metadata.annotations).toBeUndefined();
  });
  it("names the source when its overrides cannot apply", () => {
    const bad = { ...registry, metadata: { ...registry.metadata, annotations: { "spillway.dev/overrides": "cloud" } } };
    expect(() => memberCopyFor("Secret", bad, { name: "cloud-1", labels: {} })).toThrow(
      "Secret shop/registry: annotation spillway.dev/overrides must be a JSON list",
    );
  });
});

describe("copyDiffers", () => {
  const copy = memberCopy("ConfigMap", { metadata: meta("cfg"), data: { a: "1" } })!;
  it("sees an edited value, an added key and a lost label", () => {
    expect(copyDiffers("ConfigMap", copy, copy)).toBe(false);
    expect(copyDiffers("ConfigMap", { ...copy, data: { a: "2" } }, copy)).toBe(true);
    expect(copyDiffers("ConfigMap", { ...copy, data: { a: "1", b: "2" } }, copy)).toBe(true);
    expect(copyDiffers("ConfigMap", { ...copy, metadata: { ...copy.metadata, labels: {} } }, copy)).toBe(true);
  });
  it("never rewrites a claim (its spec is the member's once bound)", () => {
    const claim = memberCopy("PersistentVolumeClaim", { metadata: meta("d"), spec: { accessModes: ["ReadWriteOnce"] } })!;
    expect(copyDiffers("PersistentVolumeClaim", { ...claim, spec: { storageClassName: "other" } }, claim)).toBe(false);
  });
});

const source = (kind: "ConfigMap" | "Secret", name: string, data = "1"): [string, DependencyCopy] => [
  `${kind}/${name}`,
  memberCopy(kind, { metadata: meta(name), data: { v: data } })!,
];

describe("followPlan", () => {
  const cfg = { kind: "ConfigMap" as const, name: "cfg" };
  const sources = new Map([source("ConfigMap", "cfg"), source("Secret", "pw")]);
  const member = (name: string, copies: Array<[string, DependencyCopy]> = [], synced = true): MemberCopies => ({
    name,
    synced,
    copies: new Map(copies),
  });

  it("creates what a placed workload needs, and only what the host holds", () => {
    const plan = followPlan({
      workloads: [{ id: "FederatedDeployment/web", members: ["idc-1"], needs: [cfg, { kind: "ConfigMap", name: "absent" }] }],
      desired: (_m, k) => sources.get(k),
      members: [member("idc-1"), member("cloud-1")],
    });
    expect(plan).toEqual([{ cluster: "idc-1", action: "create", copy: sources.get("ConfigMap/cfg") }]);
  });
  it("puts back an edited copy, and removes what no workload there names", () => {
    const edited = source("ConfigMap", "cfg", "hand-edited");
    const plan = followPlan({
      workloads: [{ id: "FederatedDeployment/web", members: ["idc-1"], needs: [cfg] }],
      desired: (_m, k) => sources.get(k),
      members: [member("idc-1", [edited, source("Secret", "pw")])],
    });
    expect(plan).toEqual([
      { cluster: "idc-1", action: "update", copy: sources.get("ConfigMap/cfg") },
      { cluster: "idc-1", action: "delete", ref: { kind: "Secret", name: "pw" } },
    ]);
  });
  it("keeps a copy whose source is gone while a workload there still names it", () => {
    const plan = followPlan({
      workloads: [{ id: "FederatedDeployment/web", members: ["idc-1"], needs: [cfg] }],
      desired: () => undefined,
      members: [member("idc-1", [source("ConfigMap", "cfg")])],
    });
    expect(plan).toEqual([]);
  });
  it("writes nothing to a member not listed since start", () => {
    const plan = followPlan({
      workloads: [{ id: "FederatedDeployment/web", members: ["idc-1"], needs: [cfg] }],
      desired: (_m, k) => sources.get(k),
      members: [member("idc-1", [source("Secret", "pw")], false)],
    });
    expect(plan).toEqual([]);
  });

  // Properties over random fleets: after the plan is carried out, every object the host holds
  // that a workload needs is in each of its members, and nothing a workload there names was removed.
  const names = ["a", "b", "c"];
  const clusters = ["idc-1", "idc-2", "cloud-1"];
  const refArb = fc.record({ kind: fc.constantFrom("ConfigMap" as const, "Secret" as const), name: fc.constantFrom(...names) });
  const workloadArb = fc.record({
    id: fc.string({ minLength: 1, maxLength: 3 }),
    members: fc.subarray(clusters),
    needs: fc.array(refArb, { maxLength: 4 }),
  });
  const copiesArb = fc
    .array(fc.tuple(refArb, fc.constantFrom("1", "2")), { maxLength: 5 })
    .map((xs) => new Map(xs.map(([r, v]) => source(r.kind, r.name, v))));
  const inputArb = fc.record({
    workloads: fc.array(workloadArb, { maxLength: 4 }),
    sources: copiesArb,
    members: fc.tuple(copiesArb, copiesArb, copiesArb).map((cs) => cs.map((copies, i) => ({ name: clusters[i]!, synced: true, copies }))),
  });
  const carryOut = (members: MemberCopies[], plan: CopyWrite[]) => {
    const state = new Map(members.map((m) => [m.name, new Map(m.copies)]));
    for (const w of plan) {
      const held = state.get(w.cluster)!;
      if (w.action === "delete") held.delete(dependencyKey(w.ref));
      else held.set(`${w.copy.kind}/${w.copy.metadata.name}`, w.copy);
    }
    return state;
  };

  it("leaves every needed source's copy, as the source is, in each member of each workload", () => {
    fc.assert(
      fc.property(inputArb, ({ workloads, sources: src, members }) => {
        const after = carryOut(members, followPlan({ workloads, desired: (_m, k) => src.get(k), members }));
        for (const w of workloads as FollowedWorkload[])
          for (const m of w.members)
            for (const r of w.needs as DependencyRef[]) {
              const s = src.get(dependencyKey(r));
              if (s) expect(after.get(m)!.get(dependencyKey(r))).toEqual(s);
            }
      }),
    );
  });
  it("never removes a copy a workload in that member names, and is idempotent", () => {
    fc.assert(
      fc.property(inputArb, ({ workloads, sources: src, members }) => {
        const plan = followPlan({ workloads, desired: (_m, k) => src.get(k), members });
        for (const w of plan.filter((x) => x.action === "delete"))
          expect(
            workloads.some(
              (wl) =>
                wl.members.includes(w.cluster) &&
                wl.needs.some((r) => dependencyKey(r) === dependencyKey((w as { ref: DependencyRef }).ref)),
            ),
          ).toBe(false);
        const after = carryOut(members, plan);
        const again = followPlan({
          workloads,
          desired: (_m, k) => src.get(k),
          members: members.map((m) => ({ ...m, copies: after.get(m.name)! })),
        });
        expect(again).toEqual([]);
      }),
    );
  });
});
