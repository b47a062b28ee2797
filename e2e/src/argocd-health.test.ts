/**
 * The Argo CD health checks Spillway ships (charts/spillway/argocd/argocd-cm.yaml), run by Argo
 * CD's own runner — `argocd admin settings resource-overrides health` of the real argocd binary —
 * over each kind's states: the cases a Deployment and a StatefulSet have in Argo CD, and the one a
 * single cluster does not have (replicas that fit in no member).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { runCommand } from "@spillway/testbed";
import { argocdBin, healthChecksPath } from "./argocd.ts";

const dir = mkdtempSync(join(tmpdir(), "spillway-argocd-health-"));
let files = 0;

/** Argo CD's verdict on `obj` with Spillway's argocd-cm: `{ status, message }`. */
async function health(obj: object): Promise<{ status: string; message: string }> {
  const path = join(dir, `object-${++files}.json`);
  writeFileSync(path, JSON.stringify(obj));
  const r = await runCommand(argocdBin, ["admin", "settings", "resource-overrides", "health", path, "--argocd-cm-path", healthChecksPath]);
  if (r.code !== 0) throw new Error(`argocd admin settings resource-overrides health: ${r.stderr}${r.stdout}`);
  const field = (name: string) => r.stdout.match(new RegExp(`^${name}: ?(.*)$`, "m"))?.[1] ?? "";
  return { status: field("STATUS"), message: field("MESSAGE") };
}

const condition = (type: string, status: string, reason: string, message = "") => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: "2026-01-01T00:00:00Z",
});
const object = (kind: string, spec: object, status?: object, generation = 2) => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind,
  metadata: { name: "web", namespace: "shop", generation },
  spec,
  ...(status ? { status } : {}),
});
const scheduled = condition("Scheduled", "True", "Scheduled", "every replica is placed");
const fitsNowhere = condition(
  "Scheduled",
  "False",
  "Unschedulable",
  "2 of 6 replica(s) fit nowhere: needs 8 cpu per replica; largest free node has 3",
);

describe("Argo CD health checks, through argocd admin settings resource-overrides health", () => {
  const fd = (status?: object, spec: object = {}) => object("FederatedDeployment", { replicas: 6, ...spec }, status);
  const fdStatus = (counts: { replicas: number; updated: number; available: number }, ...conditions: object[]) => ({
    observedGeneration: 2,
    replicas: counts.replicas,
    updatedReplicas: counts.updated,
    availableReplicas: counts.available,
    conditions: [scheduled, ...conditions],
  });
  it.each([
    ["no status yet", fd(), "Progressing", "Waiting for rollout to finish: observed generation less than desired generation"],
    [
      "a spec change not observed yet",
      fd({ ...fdStatus({ replicas: 6, updated: 6, available: 6 }), observedGeneration: 1 }),
      "Progressing",
      "Waiting for rollout to finish: observed generation less than desired generation",
    ],
    [
      "a rollout under way",
      fd(fdStatus({ replicas: 8, updated: 3, available: 5 })),
      "Progressing",
      "Waiting for rollout to finish: 3 out of 6 new replicas have been updated...",
    ],
    [
      "old replicas still terminating",
      fd(fdStatus({ replicas: 8, updated: 6, available: 6 })),
      "Progressing",
      "Waiting for rollout to finish: 2 old replicas are pending termination...",
    ],
    [
      "updated replicas not yet available",
      fd(fdStatus({ replicas: 6, updated: 6, available: 4 })),
      "Progressing",
      "Waiting for rollout to finish: 4 of 6 updated replicas are available...",
    ],
    ["the rollout done", fd(fdStatus({ replicas: 6, updated: 6, available: 6 })), "Healthy", "6 of 6 replicas available across the fleet"],
    [
      "the progress deadline exceeded",
      fd(
        fdStatus(
          { replicas: 8, updated: 3, available: 5 },
          condition("Progressing", "False", "ProgressDeadlineExceeded", "rollout has exceeded its progress deadline in idc-2"),
        ),
      ),
      "Degraded",
      "rollout has exceeded its progress deadline in idc-2",
    ],
    [
      "replicas that fit nowhere",
      fd({ ...fdStatus({ replicas: 4, updated: 4, available: 4 }), conditions: [fitsNowhere] }),
      "Degraded",
      fitsNowhere.message,
    ],
    ["a paused rollout", fd(fdStatus({ replicas: 8, updated: 3, available: 5 }), { paused: true }), "Suspended", "Rollout is paused"],
  ])("FederatedDeployment: %s", async (_, obj, status, message) => {
    expect(await health(obj)).toEqual({ status, message });
  });

  const fsts = (status?: object, spec: object = {}) => object("FederatedStatefulSet", { replicas: 5, ...spec }, status);
  const fstsStatus = (ready: number, updated: number, revisions: [string, string], ...conditions: object[]) => ({
    observedGeneration: 2,
    replicas: 5,
    readyReplicas: ready,
    updatedReplicas: updated,
    currentRevision: revisions[0],
    updateRevision: revisions[1],
    conditions: [scheduled, ...conditions],
  });
  const partitioned = (partition: number) => ({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition } } });
  it.each([
    ["no status yet", fsts(), "Progressing", "Waiting for statefulset spec update to be observed..."],
    ["pods not ready", fsts(fstsStatus(3, 5, ["web-a", "web-a"])), "Progressing", "Waiting for 2 pods to be ready..."],
    [
      "a rolling update under way",
      fsts(fstsStatus(5, 2, ["web-a", "web-b"])),
      "Progressing",
      "waiting for statefulset rolling update to complete 2 pods at revision web-b...",
    ],
    [
      "a partitioned update under way",
      fsts(fstsStatus(5, 1, ["web-a", "web-b"]), partitioned(2)),
      "Progressing",
      "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...",
    ],
    [
      "a partitioned update done",
      fsts(fstsStatus(5, 3, ["web-a", "web-b"]), partitioned(2)),
      "Healthy",
      "partitioned roll out complete: 3 new pods have been updated...",
    ],
    [
      "the update done",
      fsts(fstsStatus(5, 5, ["web-b", "web-b"])),
      "Healthy",
      "statefulset rolling update complete 5 pods at revision web-b...",
    ],
    [
      "ordinals that fit nowhere",
      fsts({ ...fstsStatus(3, 3, ["web-a", "web-a"]), conditions: [fitsNowhere] }),
      "Degraded",
      fitsNowhere.message,
    ],
  ])("FederatedStatefulSet: %s", async (_, obj, status, message) => {
    expect(await health(obj)).toEqual({ status, message });
  });

  const member = (status?: object, spec: object = {}) => object("MemberCluster", { tier: "idc", ...spec }, status);
  const placement = (status?: object) => object("Placement", { clusters: [] }, status);
  const hpa = (status?: object) => object("FederatedHPA", { minReplicas: 2, maxReplicas: 6 }, status);
  it.each([
    ["MemberCluster not probed yet", member(), "Progressing", "Waiting for cluster-gateway to reach the member"],
    [
      "MemberCluster Ready",
      member({ conditions: [condition("Ready", "True", "Ready", "kube-apiserver /readyz answers ok")] }),
      "Healthy",
      "kube-apiserver /readyz answers ok",
    ],
    [
      "MemberCluster unreachable",
      member({ conditions: [condition("Ready", "False", "Unreachable", "dial tcp 10.0.0.1:6443: connect: connection refused")] }),
      "Degraded",
      "Unreachable: dial tcp 10.0.0.1:6443: connect: connection refused",
    ],
    [
      "MemberCluster fenced",
      member({ conditions: [condition("Ready", "True", "Ready")] }, { fenced: true }),
      "Suspended",
      "fenced: nothing is placed or kept here",
    ],
    ["Placement not decided yet", placement(), "Progressing", "Waiting for the scheduler"],
    ["Placement scheduled", placement({ conditions: [scheduled] }), "Healthy", "every replica is placed"],
    ["Placement with replicas that fit nowhere", placement({ conditions: [fitsNowhere] }), "Degraded", fitsNowhere.message],
    ["FederatedHPA without a recommendation yet", hpa(), "Progressing", "Waiting for the first recommendation"],
    [
      "FederatedHPA scaling",
      hpa({
        conditions: [
          condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"),
          condition("ScalingActive", "True", "ValidMetricFound", "the HPA was able to compute the replica count"),
        ],
      }),
      "Healthy",
      "the HPA was able to compute the replica count",
    ],
    [
      "FederatedHPA that cannot read its target",
      hpa({ conditions: [condition("AbleToScale", "False", "FailedGetScale", "FederatedDeployment shop/web not found")] }),
      "Degraded",
      "FailedGetScale: FederatedDeployment shop/web not found",
    ],
    [
      "FederatedHPA without a usable metric",
      hpa({ conditions: [condition("ScalingActive", "False", "FailedGetResourceMetric", "no pods of shop/web report cpu")] }),
      "Degraded",
      "FailedGetResourceMetric: no pods of shop/web report cpu",
    ],
  ])("%s", async (_, obj, status, message) => {
    expect(await health(obj)).toEqual({ status, message });
  });
});
