/**
 * Argo CD feeding Spillway from Git, for real: the application-controller and repo-server built
 * from Argo CD's module, a Git repository on loopback, Spillway's health checks in argocd-cm, and
 * all five Spillway services running. An Application syncs a FederatedDeployment, a
 * FederatedStatefulSet and a FederatedHPA; the controllers place, propagate and scale them without
 * Argo CD seeing drift (the HPA-owned replicas ignored as Argo CD users configure it); an image
 * commit goes Progressing → Healthy; an invalid commit shows the API server's refusal. Every
 * change of the Application a watch delivers is recorded, so a state it passes through is seen.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  federatedDeploymentKind,
  federatedStatefulSetKind,
  type FederatedDeployment,
  type FederatedHPA,
  type FederatedStatefulSet,
} from "@spillway/api";
import { ResourceClient } from "@spillway/kit";
import { stringify } from "yaml";
import { ARGOCD_NAMESPACE, startArgoCD, watchApplication, type ArgoCD } from "./argocd.ts";
import { kubeConfigFor, testImage } from "./env.ts";
import { federatedDeployment } from "./federated-workloads.ts";
import { createNamespace, deleteNamespace, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS } from "./rollout-services.ts";
import { freePort, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const host = kubeConfigFor("host");
const fds = new ResourceClient<FederatedDeployment>(host, federatedDeploymentKind);
const fstss = new ResourceClient<FederatedStatefulSet>(host, federatedStatefulSetKind);
const ns = uniqueName("e2e-argocd");
const leaseNs = uniqueName("e2e-argocd-lease");
const APP = uniqueName("shop");

const web = (image: string, extra: Partial<FederatedDeployment["spec"]> = {}): FederatedDeployment => {
  const fd = federatedDeployment({ namespace: ns, name: "web", replicas: 1, requests: { cpu: "100m" } });
  fd.spec.template.spec!.containers[0]!.image = image;
  return { ...fd, spec: { ...fd.spec, ...extra } };
};
const search: FederatedStatefulSet = {
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedStatefulSet",
  metadata: { name: "search", namespace: ns },
  spec: {
    replicas: 3,
    serviceName: "search",
    selector: { matchLabels: { app: "search" } },
    template: {
      metadata: { labels: { app: "search" } },
      spec: { containers: [{ name: "shard", image: testImage(1), resources: { requests: { cpu: "100m" } } }] },
    },
  },
};
// Git says 1 replica; the autoscaler's minimum is 2, so it changes the FederatedDeployment's
// spec.replicas: the field Argo CD must be told to leave to it.
const autoscaler: FederatedHPA = {
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedHPA",
  metadata: { name: "web", namespace: ns },
  spec: {
    scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
    minReplicas: 2,
    maxReplicas: 4,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
  },
};
const manifest = (o: object) => stringify(o);

/** The Application as a platform team writes it (README "Argo CD"). */
const application = (repoUrl: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name: APP, namespace: ARGOCD_NAMESPACE },
  spec: {
    project: "default",
    source: { repoURL: repoUrl, targetRevision: "main", path: "." },
    destination: { server: "https://kubernetes.default.svc", namespace: ns },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: ["RespectIgnoreDifferences=true"],
      // One retry, soon: a refused commit fails in seconds rather than after Argo CD's default five.
      retry: { limit: 1, backoff: { duration: "2s", factor: 2, maxDuration: "10s" } },
    },
    // A FederatedHPA owns its target's replicas, as an HPA owns a Deployment's.
    ignoreDifferences: [{ group: "spillway.dev", kind: "FederatedDeployment", jsonPointers: ["/spec/replicas"] }],
  },
});

const watched = watchApplication(APP);
const { app, seen, refresh, waitApp } = watched;

describe("Argo CD syncs Spillway workloads from Git", () => {
  const procs: RunningService[] = [];
  let argocd: ArgoCD;

  beforeAll(async () => {
    await createNamespace("host", ns);
    await createNamespace("host", leaseNs);
    const gwPort = await freePort();
    const schedPort = await freePort();
    const lease = [`--lease-namespace=${leaseNs}`];
    procs.push(
      await startService("cluster-gateway", "argocd-gw", [...lease, `--grpc-addr=127.0.0.1:${gwPort}`, "--metrics-interval=5"]),
      await startService("scheduler", "argocd-sched", [
        ...lease,
        `--gateway-addr=127.0.0.1:${gwPort}`,
        `--grpc-addr=127.0.0.1:${schedPort}`,
      ]),
      await startService("fleet-root", "argocd-fr", lease),
      await startService("stateful-orchestrator", "argocd-sts", lease),
      await startService("federated-hpa", "argocd-hpa", [
        ...lease,
        `--gateway-addr=127.0.0.1:${gwPort}`,
        `--scheduler-addr=127.0.0.1:${schedPort}`,
        "--sync-period=5",
      ]),
    );
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    argocd = await startArgoCD({
      "web.yaml": manifest(web(testImage(1))),
      "search.yaml": manifest(search),
      "web-hpa.yaml": manifest(autoscaler),
    });
    await watched.start();
    const r = await kubectl("host", ["apply", "-f", "-"], JSON.stringify(application(argocd.repoUrl)));
    if (r.code !== 0) throw new Error(`create the Application: ${r.stderr}`);
  }, 300_000);

  afterAll(async () => {
    await kubectl("host", ["delete", "application", APP, "-n", ARGOCD_NAMESPACE, "--ignore-not-found", "--wait=false"]);
    await watched.stop();
    await argocd?.stop();
    for (const h of ["federatedhpas", "federateddeployments", "federatedstatefulsets"])
      await kubectl("host", ["delete", h, "--all", "-n", ns, "--wait=true", "--timeout=60s"]);
    await Promise.all(procs.map((p) => stop(p)));
    await deleteNamespace("host", ns);
    await deleteNamespace("host", leaseNs);
    for (const m of MEMBERS) await deleteNamespace(m, ns);
  });

  it("syncs the three workloads; once placed, propagated and scaled the app is Synced and Healthy, with no drift", async () => {
    const head = await waitApp("Synced and Healthy", (a) => a.status?.sync?.status === "Synced" && a.status?.health?.status === "Healthy");
    // The controllers did their work: placed, propagated to members, scaled by the autoscaler past Git's 1.
    const fd = await fds.get({ namespace: ns, name: "web" });
    expect(fd.spec.replicas).toBe(2);
    expect(fd.status?.availableReplicas).toBe(2);
    expect((await fstss.get({ namespace: ns, name: "search" })).status?.readyReplicas).toBe(3);
    // Argo CD v3 keeps each resource's health in its resource tree, not in the Application; the
    // app's health aggregates them, and without Spillway's checks these kinds would have none.
    const sync = Object.fromEntries((head.status?.resources ?? []).map((r) => [`${r.kind}/${r.name}`, r.status]));
    expect(sync).toEqual({ "FederatedDeployment/web": "Synced", "FederatedStatefulSet/search": "Synced", "FederatedHPA/web": "Synced" });
    // A hard refresh re-reads Git and compares again with everything the controllers wrote since:
    // still Synced; and no state between (every change the watch delivered) was OutOfSync.
    const from = seen.length;
    const before = app()!.status!.reconciledAt;
    await refresh("hard");
    await waitApp("reconciled again after the hard refresh", (a) => !!a.status?.reconciledAt && a.status.reconciledAt !== before);
    expect(app()!.status!.sync!.status).toBe("Synced");
    expect(seen.slice(from).filter((s) => s.sync !== "Synced")).toEqual([]);
    expect(seen.some((s) => s.sync === "OutOfSync" && s.health === "Healthy")).toBe(false);
  });

  it("a commit that changes the image moves the app through Progressing to Healthy", async () => {
    const sha = await argocd.commit({ "web.yaml": manifest(web(testImage(2))) }, "web: image 2");
    const from = seen.length;
    await refresh();
    await waitApp(
      `Synced at ${sha} and Healthy`,
      (a) => a.status?.sync?.revision === sha && a.status.sync.status === "Synced" && a.status.health?.status === "Healthy",
    );
    const atSha = seen.slice(from).filter((s) => s.revision === sha);
    expect(atSha.map((s) => s.health)).toContain("Progressing");
    expect(atSha.at(-1)!.health).toBe("Healthy");
    const fd = await fds.get({ namespace: ns, name: "web" });
    expect(fd.spec.template.spec!.containers[0]!.image).toBe(testImage(2));
    expect([fd.spec.replicas, fd.status?.updatedReplicas, fd.status?.availableReplicas]).toEqual([2, 2, 2]);
  });

  it("a commit with an invalid spec shows the API server's refusal in the sync result, and changes nothing", async () => {
    const bad = web(testImage(1), { selector: { matchLabels: { app: "webb" } } });
    const sha = await argocd.commit({ "web.yaml": manifest(bad) }, "web: a typo in the selector");
    await refresh();
    const failed = await waitApp(
      "the sync of the invalid commit failed",
      (a) => a.status?.operationState?.syncResult?.revision === sha && ["Failed", "Error"].includes(a.status.operationState.phase ?? ""),
    );
    const result = failed.status!.operationState!.syncResult!.resources!.find((r) => r.kind === "FederatedDeployment" && r.name === "web");
    expect(result?.status).toBe("SyncFailed");
    expect(result?.message).toMatch(/spec\.selector: Invalid value: .*selector does not match template labels/);
    expect(failed.status!.operationState!.message).toMatch(
      /one or more synchronization tasks completed unsuccessfully, reason: .*FederatedDeployment\.spillway\.dev "web" is invalid: .*selector does not match template labels/,
    );
    expect(app()!.status!.sync!.status).toBe("OutOfSync");
    // What runs is what the last good commit said.
    const fd = await fds.get({ namespace: ns, name: "web" });
    expect(fd.spec.selector.matchLabels).toEqual({ app: "web" });
    expect(fd.spec.template.spec!.containers[0]!.image).toBe(testImage(2));
  });
});
