import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "@spillway/api";
import { FakeObjects } from "./testing/fake-objects.ts";
import { specChanges } from "./spec-changes.ts";

type Obj = KubeObject<{ n: number }, { seen: number }>;

describe("specChanges", () => {
  it("passes adds, spec changes and deletes, and leaves out status-only updates", async () => {
    const objects = new FakeObjects<Obj>("Thing");
    const events: string[] = [];
    specChanges<Obj>(objects).addHandler((type, o) => events.push(`${type} ${o.spec.n}`));
    const created = await objects.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "Thing",
      metadata: { name: "a", namespace: "x" },
      spec: { n: 1 },
    });
    await objects.replaceStatus({ ...created, status: { seen: 1 } });
    const withStatus = objects.get("a", "x")!;
    await objects.replace({ ...withStatus, spec: { n: 2 } });
    await objects.replaceStatus({ ...objects.get("a", "x")!, status: { seen: 2 } });
    await objects.delete({ namespace: "x", name: "a" });
    expect(events).toEqual(["add 1", "update 2", "delete 2"]);
  });
});
