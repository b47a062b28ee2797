import { describe, expect, it } from "@jest/globals";
import { memberProblemEvents } from "./member-workload.ts";

describe("memberProblemEvents", () => {
  it("warns once per member kept out, saying why and what to do", () => {
    const events = memberProblemEvents({
      memberKind: "Deployment",
      name: "web",
      conflicts: ["idc-2"],
      dependencyConflicts: new Map([
        ["cloud-1", { conflicts: ["ConfigMap/web-config"] }],
        ["idc-1", { conflicts: [] }],
      ]),
      writeFailures: ["idc-1: admission webhook denied the request"],
    });
    expect(events).toEqual([
      {
        type: "Warning",
        reason: "MemberConflict",
        note: "idc-2 holds a Deployment web that Spillway does not manage: nothing is written there",
      },
      {
        type: "Warning",
        reason: "DependencyConflict",
        note: "cloud-1 holds ConfigMap/web-config of its own: the workload stays out of cloud-1 until they are renamed or deleted there",
      },
      { type: "Warning", reason: "MemberWriteFailed", note: "idc-1: admission webhook denied the request" },
    ]);
  });

  it("says nothing when nothing keeps the workload out", () => {
    expect(
      memberProblemEvents({ memberKind: "StatefulSet", name: "db", conflicts: [], dependencyConflicts: new Map(), writeFailures: [] }),
    ).toEqual([]);
  });
});
