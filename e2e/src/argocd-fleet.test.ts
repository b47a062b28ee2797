/**
 * Argo CD (the testbed's real build) with the fleet API registered as a destination cluster, as a
 * platform team would add any cluster: a plain-manifest application (a ConfigMap, a Deployment that
 * mounts it, a Service) synced from Git becomes the fleet's workload; the app is Synced and Healthy
 * with no perpetual diff (a hard refresh stays Synced, on every state the watch delivers), its
 * resource tree (as Argo CD's API serves it to the UI) goes Deployment → ReplicaSet → the pods in
 * the members, and a change in Git rolls out across the fleet.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startFleetApi, stopFleetApi } from "@spillway/testbed";
import { stringify } from "yaml";
import { ARGOCD_NAMESPACE, startArgoCD, watchApplication, type ArgoCD } from "./argocd.ts";
import { fleetStorageAddr, kubeConfigFor, testImage } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS } from "./rollout-services.ts";
import { freePort, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const ns = uniqueName("e2e-argofleet");
const leaseNs = uniqueName("e2e-argofleet-lease");
const APP = uniqueName("fleet-shop");

const files = (image: string) => ({
  "app.yaml": [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config" }, data: { mode: "gitops" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{ name: "app", image, resources: { requests: { cpu: "100m" } } }],
            volumes: [{ name: "config", configMap: { name: "web-config" } }],
          },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
  ]
    .map((o) => stringify(o))
    .join("---\n"),
});

const watched = watchApplication(APP);
const { app, seen, refresh, waitApp } = watched;

describe("Argo CD with the fleet API as a destination cluster", () => {
  const procs: RunningService[] = [];
  let argocd: ArgoCD;
  let fleetServer = "";

  beforeAll(async () => {
    await createNamespace("host", ns);
    await createNamespace("host", leaseNs);
    const gwPort = await freePort();
    const lease = [`--lease-namespace=${leaseNs}`];
    procs.push(
      await startService("cluster-gateway", "argofleet-gw", [
        ...lease,
        `--grpc-addr=127.0.0.1:${gwPort}`,
        `--fleet-storage-addr=${fleetStorageAddr}`,
      ]),
    );
    await waitReady(procs[0]!, 60_000);
    procs.push(await startService("scheduler", "argofleet-sched", [...lease, `--gateway-addr=127.0.0.1:${gwPort}`]));
    procs.push(await startService("fleet-root", "argofleet-fr", lease));
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    const fleet = await startFleetApi();
    fleetServer = fleet.server;
    argocd = await startArgoCD(files(testImage(1)), {}, { api: true });
    // The fleet registered as Argo CD registers any cluster: a cluster Secret with its address, CA and a token.
    const token = kubeConfigFor("fleet").getCurrentUser()?.token;
    const cluster = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "fleet", namespace: ARGOCD_NAMESPACE, labels: { "argocd.argoproj.io/secret-type": "cluster" } },
      stringData: {
        name: "fleet",
        server: fleet.server,
        config: JSON.stringify({ bearerToken: token, tlsClientConfig: { caData: readFileSync(fleet.caFile).toString("base64") } }),
      },
    };
    const application = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: APP, namespace: ARGOCD_NAMESPACE },
      spec: {
        project: "default",
        source: { repoURL: argocd.repoUrl, targetRevision: "main", path: "." },
        destination: { server: fleet.server, namespace: ns },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          retry: { limit: 1, backoff: { duration: "2s", factor: 2, maxDuration: "10s" } },
        },
      },
    };
    await watched.start();
    const r = await kubectl(
      "host",
      ["apply", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: [cluster, application] }),
    );
    if (r.code !== 0) throw new Error(`register the fleet and create the Application: ${r.stderr}`);
  }, 300_000);

  afterAll(async () => {
    await kubectl("host", ["delete", "application", APP, "-n", ARGOCD_NAMESPACE, "--ignore-not-found", "--wait=false"]);
    await kubectl("host", ["delete", "secret", "fleet", "-n", ARGOCD_NAMESPACE, "--ignore-not-found"]);
    await watched.stop();
    await argocd?.stop();
    await kubectl("host", ["delete", "federateddeployments", "--all", "-n", ns, "--wait=true", "--timeout=60s"]);
    await stopFleetApi();
    await Promise.all(procs.map((p) => stop(p)));
    await deleteNamespace("host", ns);
    await deleteNamespace("host", leaseNs);
    for (const m of MEMBERS) await deleteNamespace(m, ns);
  });

  it("syncs the plain manifests into the fleet: Synced and Healthy, the Deployment is the fleet's workload, no perpetual diff", async () => {
    const head = await waitApp("Synced and Healthy", (a) => a.status?.sync?.status === "Synced" && a.status?.health?.status === "Healthy");
    expect(Object.fromEntries((head.status?.resources ?? []).map((r) => [`${r.kind}/${r.name}`, r.status]))).toEqual({
      "ConfigMap/web-config": "Synced",
      "Deployment/web": "Synced",
      "Service/web": "Synced",
    });
    // The Deployment Argo CD applied is the FederatedDeployment on the host, running in members.
    const fd = await kubectl("host", ["get", "federateddeployment", "web", "-n", ns, "-o", "jsonpath={.status.availableReplicas}"]);
    expect(fd.stdout).toBe("2");
    expect(fleetServer).toMatch(/^https:\/\/127\.0\.0\.1:/);
    // A hard refresh compares Git with everything the controllers wrote since: still Synced, and
    // no state the watch delivered between was OutOfSync.
    const from = seen.length;
    const before = app()!.status!.reconciledAt;
    await refresh("hard");
    await waitApp("reconciled again after the hard refresh", (a) => !!a.status?.reconciledAt && a.status.reconciledAt !== before);
    expect(app()!.status!.sync!.status).toBe("Synced");
    expect(seen.slice(from).filter((s) => s.sync !== "Synced")).toEqual([]);
  });

  it("the resource tree shows the pods, under the fleet ReplicaSet under the Deployment", async () => {
    interface TreeNode {
      kind: string;
      name: string;
      uid: string;
      parentRefs?: Array<{ kind: string; name: string; uid?: string }>;
    }
    const tree = await eventually("the tree reaches the two pods", async () => {
      const r = await fetch(`${argocd.api}/api/v1/applications/${APP}/resource-tree?appNamespace=${ARGOCD_NAMESPACE}`);
      if (!r.ok) return undefined;
      const nodes = ((await r.json()) as { nodes?: TreeNode[] }).nodes ?? [];
      return nodes.filter((n) => n.kind === "Pod").length === 2 ? nodes : undefined;
    });
    const deployment = tree.find((n) => n.kind === "Deployment" && n.name === "web")!;
    const replicaSets = tree.filter((n) => n.kind === "ReplicaSet" && n.parentRefs?.some((p) => p.uid === deployment.uid));
    expect(replicaSets).toHaveLength(1);
    for (const p of tree.filter((n) => n.kind === "Pod")) {
      expect(p.name).toMatch(/^web-/);
      expect(p.parentRefs).toEqual([expect.objectContaining({ kind: "ReplicaSet", name: replicaSets[0]!.name, uid: replicaSets[0]!.uid })]);
    }
  });

  it("a change in Git rolls out across the fleet", async () => {
    const sha = await argocd.commit(files(testImage(2)), "web: image 2");
    await refresh();
    await waitApp(
      "the new revision Synced and Healthy",
      (a) => a.status?.sync?.revision === sha && a.status.sync.status === "Synced" && a.status.health?.status === "Healthy",
    );
    const image = await kubectl("host", [
      "get",
      "federateddeployment",
      "web",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    expect(image.stdout).toBe(testImage(2));
    await eventually("every member running web runs image 2", async () => {
      const images = await Promise.all(
        MEMBERS.map(
          async (m) =>
            (await kubectl(m, ["get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).stdout,
        ),
      );
      const running = images.filter(Boolean);
      return running.length > 0 && running.every((i) => i === testImage(2)) ? true : undefined;
    });
  });
});
