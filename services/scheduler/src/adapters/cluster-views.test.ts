import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ClusterSnapshotSchema, OwnerPodsSchema, PendingPodsSchema } from "@spillway/proto";
import fc from "fast-check";
import { observedIn, workloadOfOwner } from "./cluster-views.ts";

/** The definition: a scan of the snapshot's owners with the workload's own name pattern. */
function scanned(snapshot: ReturnType<typeof snap>, namespace: string, kind: "FederatedDeployment" | "FederatedStatefulSet", name: string) {
  const rs = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{1,10}$`);
  const owns = (k: string, n: string) =>
    kind === "FederatedDeployment" ? k === "ReplicaSet" && rs.test(n) : k === "StatefulSet" && n === name;
  const o = { bound: 0, unschedulable: 0, oldestUnschedulableMs: 0 };
  for (const p of snapshot.owners) if (p.namespace === namespace && owns(p.ownerKind, p.ownerName)) o.bound += p.bound;
  for (const p of snapshot.pending)
    if (p.namespace === namespace && owns(p.ownerKind, p.ownerName)) {
      o.unschedulable += p.count;
      o.oldestUnschedulableMs = Math.max(o.oldestUnschedulableMs, Number(p.oldestUnschedulableSeconds) * 1000);
    }
  return o;
}

type Owner = { namespace: string; ownerKind: string; ownerName: string; n: number };
const snap = (owners: Owner[], pending: Owner[]) =>
  create(ClusterSnapshotSchema, {
    cluster: "idc-1",
    owners: owners.map((o) =>
      create(OwnerPodsSchema, { namespace: o.namespace, ownerKind: o.ownerKind, ownerName: o.ownerName, bound: o.n }),
    ),
    pending: pending.map((o) =>
      create(PendingPodsSchema, {
        namespace: o.namespace,
        ownerKind: o.ownerKind,
        ownerName: o.ownerName,
        count: o.n,
        oldestUnschedulableSeconds: BigInt(o.n * 7),
      }),
    ),
  });

const part = fc.constantFrom("web", "api", "web-api", "db", "a1", "x");
const names = fc.array(part, { minLength: 1, maxLength: 3 }).map((ps) => ps.join("-"));
const hash = fc.constantFrom("5bb88554b8", "7d9f", "abcdefghijk", "", "Upper");
const owner: fc.Arbitrary<Owner> = fc.record({
  namespace: fc.constantFrom("shop", "ml"),
  ownerKind: fc.constantFrom("ReplicaSet", "StatefulSet", "Job"),
  ownerName: fc.tuple(names, hash).map(([n, h]) => (h ? `${n}-${h}` : n)),
  n: fc.integer({ min: 1, max: 9 }),
});

describe("observedIn", () => {
  it("counts exactly what a scan of the snapshot's owners with the workload's name pattern counts", () => {
    fc.assert(
      fc.property(
        fc.array(owner, { maxLength: 30 }),
        fc.array(owner, { maxLength: 10 }),
        fc.constantFrom("shop", "ml"),
        fc.constantFrom("FederatedDeployment" as const, "FederatedStatefulSet" as const),
        names,
        (owners, pending, namespace, kind, name) => {
          const s = snap(owners, pending);
          expect(observedIn(s, namespace, kind, name)).toEqual(scanned(s, namespace, kind, name));
        },
      ),
    );
  });

  it("reads a snapshot's new owner list, not what it summed of the old one", () => {
    const s = snap([{ namespace: "shop", ownerKind: "ReplicaSet", ownerName: "web-5bb88554b8", n: 3 }], []);
    expect(observedIn(s, "shop", "FederatedDeployment", "web").bound).toBe(3);
    s.owners = [create(OwnerPodsSchema, { namespace: "shop", ownerKind: "ReplicaSet", ownerName: "web-7d9f", bound: 8 })];
    expect(observedIn(s, "shop", "FederatedDeployment", "web").bound).toBe(8);
  });

  it("names the one workload an owner can belong to", () => {
    expect(workloadOfOwner("ReplicaSet", "web-api-5bb88554b8")).toEqual({ kind: "FederatedDeployment", name: "web-api" });
    expect(workloadOfOwner("StatefulSet", "db")).toEqual({ kind: "FederatedStatefulSet", name: "db" });
    expect(workloadOfOwner("ReplicaSet", "web-abcdefghijk")).toBeUndefined();
    expect(workloadOfOwner("Job", "web-1")).toBeUndefined();
  });
});
