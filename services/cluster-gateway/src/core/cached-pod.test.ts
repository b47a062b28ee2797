import { describe, expect, it } from "@jest/globals";
import { compactPod } from "./cached-pod.ts";
import { podInfo } from "./object-info.ts";
import { podSamples, type PodObject } from "./pod-samples.ts";

/** A pod as a member serves it, with everything the gateway does not read. */
function memberPod(overrides: { spec?: object; status?: object; metadata?: object } = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-1",
      namespace: "shop",
      uid: "u-1",
      resourceVersion: "42",
      generateName: "web-",
      creationTimestamp: "2026-12-05T10:00:00Z",
      labels: { app: "web" },
      annotations: { "kubectl.kubernetes.io/restartedAt": "now" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "rs-1", controller: true }],
      managedFields: [{ manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:spec": {} } }],
      ...overrides.metadata,
    },
    spec: {
      nodeName: "idc-1-node-3",
      volumes: [{ name: "token", projected: { sources: [] } }],
      containers: [
        {
          name: "app",
          image: "web:2",
          env: [{ name: "A", value: "1" }],
          resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "1" } },
        },
        { name: "proxy", image: "envoy:1" },
      ],
      initContainers: [
        { name: "migrate", image: "web:2", resources: { requests: { cpu: "2" } } },
        { name: "log", image: "fluent:1", restartPolicy: "Always", resources: { requests: { memory: "32Mi" } } },
      ],
      overhead: { cpu: "10m" },
      ...overrides.spec,
    },
    status: {
      phase: "Running",
      startTime: "2026-12-05T10:00:01Z",
      podIP: "10.1.2.3",
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: "2026-12-05T10:00:00Z" },
        { type: "Ready", status: "True", lastTransitionTime: "2026-12-05T10:00:05Z", lastProbeTime: null },
      ],
      containerStatuses: [{ name: "app", ready: true, restartCount: 0, image: "web:2", imageID: "sha256:1" }],
      ...overrides.status,
    },
  };
}

const cases: Array<[string, ReturnType<typeof memberPod>]> = [
  ["a running pod of a ReplicaSet", memberPod()],
  [
    "an unschedulable pod",
    memberPod({
      spec: { nodeName: undefined },
      status: {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", lastTransitionTime: "2026-12-05T10:00:00Z" }],
      },
    }),
  ],
  ["a pod being deleted", memberPod({ metadata: { deletionTimestamp: "2026-12-05T11:00:00Z" } })],
  [
    "a finished pod with pod-level requests",
    memberPod({ spec: { resources: { requests: { cpu: "3" } } }, status: { phase: "Succeeded" } }),
  ],
  ["a bare pod", { metadata: { name: "bare", namespace: "shop" } } as ReturnType<typeof memberPod>],
];

describe("compactPod", () => {
  it.each(cases)("%s: the snapshot and the Pods metrics read the same from what the cache keeps", (_, pod) => {
    const shrunk = structuredClone(pod);
    compactPod(shrunk);
    expect(podInfo(shrunk as never)).toEqual(podInfo(pod as never));
    const usage = new Map([["shop/web-1", { timestampMs: 1, windowMs: 2, containers: new Map([["app", { cpu: 300 }]]) }]]);
    expect(podSamples("idc-1", [shrunk as PodObject], usage, {})).toEqual(podSamples("idc-1", [pod as PodObject], usage, {}));
  });

  it("keeps the member-side facts of a fleet write and drops what nothing reads", () => {
    const pod = memberPod();
    compactPod(pod);
    expect(pod.metadata).toEqual({
      name: "web-1",
      namespace: "shop",
      uid: "u-1",
      resourceVersion: "42",
      labels: { app: "web" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "rs-1", controller: true }],
    });
    expect(pod.spec.containers[0]).toEqual({ name: "app", resources: { requests: { cpu: "250m", memory: "64Mi" } } });
    expect(pod.spec).not.toHaveProperty("volumes");
    expect(pod.status).not.toHaveProperty("containerStatuses");
    expect(pod.status).not.toHaveProperty("podIP");
  });
});
