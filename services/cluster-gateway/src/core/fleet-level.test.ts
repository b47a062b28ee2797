import { describe, expect, it } from "@jest/globals";
import { fleetResources } from "@spillway/api";
import { FleetLevelRefusal, fleetView, hostBody, sameOnHost, type KubeJson } from "./fleet-level.ts";

const deployments = fleetResources.find((r) => r.resource === "deployments")!;
const hpas = fleetResources.find((r) => r.resource === "horizontalpodautoscalers")!;
const services = fleetResources.find((r) => r.resource === "services")!;

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "app:1" }] } };
const fd: KubeJson = {
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: {
    name: "web",
    namespace: "shop",
    uid: "host-uid",
    resourceVersion: "41",
    generation: 3,
    finalizers: ["spillway.dev/fleet-root"],
    annotations: { "spillway.dev/fleet-uid": "fleet-uid", note: "n" },
  },
  spec: { replicas: 4, selector: { matchLabels: { app: "web" } }, template, placement: { tierOrder: ["cloud", "idc"] } },
  status: {
    observedGeneration: 3,
    replicas: 5,
    updatedReplicas: 4,
    readyReplicas: 4,
    availableReplicas: 4,
    unavailableReplicas: 0,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" },
      { type: "Scheduled", status: "True", reason: "Placed", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" },
    ],
  },
};

describe("fleetView", () => {
  it("serves a FederatedDeployment as the Deployment one cluster's controller would report", () => {
    const d = fleetView(deployments, fd);
    expect(d.kind).toBe("Deployment");
    expect(d.metadata).toEqual({
      name: "web",
      namespace: "shop",
      uid: "fleet-uid",
      resourceVersion: "41",
      generation: 3,
      annotations: { note: "n", "spillway.dev/placement": '{"tierOrder":["cloud","idc"]}' },
    });
    expect(d.spec).toEqual({ replicas: 4, selector: { matchLabels: { app: "web" } }, template });
    expect(d.status).toEqual({
      observedGeneration: 3,
      replicas: 5,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      unavailableReplicas: 0,
      conditions: [
        {
          type: "Available",
          status: "True",
          reason: "MinimumReplicasAvailable",
          message: "ok",
          lastUpdateTime: "2026-01-01T00:00:00Z",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
    });
  });

  it("serves a FederatedHPA as an autoscaling/v2 HPA on the native target", () => {
    const h = fleetView(hpas, {
      metadata: { name: "web", namespace: "shop", uid: "u" },
      spec: {
        scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 9,
      },
      status: { currentReplicas: 3, desiredReplicas: 4 },
    });
    expect(h.spec).toEqual({ scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 2, maxReplicas: 9 });
    expect(h.status).toEqual({ currentReplicas: 3, desiredReplicas: 4 });
  });
});

describe("hostBody", () => {
  it("round-trips: the view written back is the FederatedDeployment, placement and all, under the host's version", () => {
    const body = hostBody(deployments, fleetView(deployments, fd), fd);
    expect(body).toEqual({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedDeployment",
      metadata: {
        name: "web",
        namespace: "shop",
        annotations: { note: "n", "spillway.dev/fleet-uid": "fleet-uid" },
        resourceVersion: "41",
      },
      spec: { replicas: 4, selector: { matchLabels: { app: "web" } }, template, placement: { tierOrder: ["cloud", "idc"] } },
    });
    expect(sameOnHost(body, fd)).toBe(false);
  });

  it("keeps the uid the fleet API server gave a new Deployment", () => {
    const body = hostBody(
      deployments,
      { metadata: { name: "web", namespace: "shop", uid: "new-uid" }, spec: { replicas: 1, template } },
      undefined,
    );
    expect(body.metadata?.annotations).toEqual({ "spillway.dev/fleet-uid": "new-uid" });
  });

  it("keeps the field ownership the fleet API server recorded (server-side apply), and serves it back", () => {
    const managedFields = [
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
      },
    ];
    const written = { ...fleetView(deployments, fd), metadata: { ...fleetView(deployments, fd).metadata, managedFields } };
    const body = hostBody(deployments, written, fd);
    expect(JSON.parse(body.metadata!.annotations!["spillway.dev/fleet-managed-fields"]!)).toEqual(managedFields);
    const served = fleetView(deployments, { ...fd, metadata: { ...fd.metadata, annotations: body.metadata!.annotations } });
    expect(served.metadata?.managedFields).toEqual(managedFields);
    expect(Object.keys(served.metadata?.annotations ?? {})).not.toContain("spillway.dev/fleet-managed-fields");
    // Unreadable ownership is dropped, as on a fresh object.
    const broken = { ...fd, metadata: { ...fd.metadata, annotations: { "spillway.dev/fleet-managed-fields": "{" } } };
    expect(fleetView(deployments, broken).metadata?.managedFields).toBeUndefined();
  });

  it.each([
    [
      "a template pinned to a node",
      { spec: { template: { ...template, spec: { ...template.spec, nodeName: "n1" } } } },
      /nodeName pins every pod/,
    ],
    [
      "placement that is not JSON",
      { metadata: { name: "web", annotations: { "spillway.dev/placement": "idc" } }, spec: { template } },
      /must be JSON of the placement/,
    ],
  ])("refuses %s, saying what to do", (_n, value, message) => {
    expect(() => hostBody(deployments, value as KubeJson, undefined)).toThrow(FleetLevelRefusal);
    expect(() => hostBody(deployments, value as KubeJson, undefined)).toThrow(message);
  });

  it("autoscales only the fleet's Deployments and StatefulSets", () => {
    expect(() => hostBody(hpas, { spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "x" } } }, undefined)).toThrow(
      /cannot be autoscaled fleet-wide/,
    );
    expect(
      hostBody(hpas, { spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 3 } }, undefined)
        .spec,
    ).toEqual({
      scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
      maxReplicas: 3,
    });
  });

  it("creates a Service on the host without the addresses and ports the fleet API server assigned", () => {
    const body = hostBody(
      services,
      {
        metadata: { name: "web", uid: "u", resourceVersion: "1" },
        spec: { clusterIP: "10.9.0.1", clusterIPs: ["10.9.0.1"], ports: [{ port: 80, nodePort: 31000 }] },
      },
      undefined,
    );
    expect(body).toEqual({ metadata: { name: "web" }, spec: { ports: [{ port: 80 }] } });
  });
});
