import { describe, expect, it } from "@jest/globals";
import { clusterLabel } from "@spillway/api";
import type { Holding, MemberObject } from "./fleet-objects.ts";
import { fleetResources } from "@spillway/api";
import { planDelete, planPut } from "./member-call.ts";

const r = (name: string) => fleetResources.find((x) => x.resource === name)!;
const object: MemberObject = {
  metadata: { name: "a", namespace: "web", uid: "u1", resourceVersion: "41", labels: { app: "web" } },
  spec: { replicas: 1 },
  status: { phase: "Running" },
};
const holding = (resource = "pods"): Holding => ({ resource: r(resource), cluster: "idc-1", namespace: "web", name: "a", object });
/** What kube-apiserver writes back: the fleet's form of the object, changed. */
const fleetForm = (change: (o: MemberObject) => void): MemberObject => {
  const o = structuredClone(object);
  o.metadata!.labels = { ...o.metadata!.labels, [clusterLabel]: "idc-1" };
  delete o.metadata!.resourceVersion;
  o.metadata!.managedFields = [{ manager: "kubectl" }];
  change(o);
  return o;
};

describe("planPut", () => {
  it.each([
    ["a label", (o: MemberObject) => (o.metadata!.labels!.tier = "gold"), ["update"]],
    ["status only", (o: MemberObject) => (o.status = { phase: "Failed" }), ["update/status"]],
    ["spec and status", (o: MemberObject) => ((o.spec = { replicas: 2 }), (o.status = {})), ["update", "update/status"]],
    ["nothing but managedFields", () => {}, []],
  ])("%s → %j", (_what, change, expected) => {
    const plan = planPut(holding(), fleetForm(change));
    expect(plan.map((w) => (w.verb === "update" && w.subresource ? `update/${w.subresource}` : w.verb))).toEqual(expected);
    for (const w of plan) {
      if (w.verb !== "update") continue;
      expect(w.body.metadata).toMatchObject({ name: "a", resourceVersion: "41" });
      expect(w.body.metadata!.labels![clusterLabel]).toBeUndefined();
    }
  });

  it("a kind without a status subresource takes status with the object", () => {
    expect(
      planPut(
        holding("configmaps"),
        fleetForm((o) => (o.status = { x: 1 })),
      ),
    ).toMatchObject([{ verb: "update" }]);
    expect(
      planPut(
        holding("configmaps"),
        fleetForm((o) => (o.status = { x: 1 })),
      )[0],
    ).not.toHaveProperty("subresource");
  });

  it("a deletion timestamp that appears is a graceful delete in the member, guarded by uid and version", () => {
    const plan = planPut(
      holding(),
      fleetForm((o) => Object.assign(o.metadata!, { deletionTimestamp: "2026-11-27T08:00:00Z", deletionGracePeriodSeconds: 30 })),
    );
    expect(plan).toEqual([{ verb: "delete", gracePeriodSeconds: 30, uid: "u1", resourceVersion: "41" }]);
  });

  it("kube-apiserver's delete of the key is an immediate delete", () => {
    expect(planDelete(holding())).toEqual({ verb: "delete", gracePeriodSeconds: 0, uid: "u1", resourceVersion: "41" });
  });
});
