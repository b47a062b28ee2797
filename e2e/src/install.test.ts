/**
 * `helm install` as a user runs it, with nothing run as a local process: the image `make image`
 * builds, loaded into the testbed host's real node (containerd, runc, kubelet: host-node.ts), and
 * the chart installed with `--wait` — every service in pods with the chart's own flags, probes,
 * security context and ServiceAccounts, two replicas each, one leader each. Then the demo's story
 * on that control plane, its fleet-root leader deleted mid-rollout (the bounds judged on every
 * change the members' watches deliver), `helm upgrade` to a new image tag with no workload
 * disturbed, and `helm uninstall` leaving the workloads and CRDs in place.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AppsV1Api, CoordinationV1Api, CoreV1Api } from "@kubernetes/client-node";
import { federatedDeploymentKind, type FederatedDeployment } from "@spillway/api";
import { ResourceClient } from "@spillway/kit";
import {
  buildahOk,
  buildImage,
  CHART_DIR,
  loadImage,
  loadTopology,
  natsPorts,
  runHelm,
  runKubectl,
  runningHostNode,
  SERVICES,
  SYSTEM_NAMESPACE,
} from "@spillway/testbed";
import { contextOf, e2eKubeconfig, kubeConfigFor, kubectlBin, testImage } from "./env.ts";
import { federatedDeployment, setImage } from "./federated-workloads.ts";
import { watchFleetBounds } from "./fleet-bounds.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS } from "./rollout-services.ts";

const node = runningHostNode();
// A node needs root and the host-node build (make test as root has both); say so rather than fail.
const describeOnNode = node ? describe : describe.skip;
if (!node) console.warn("skipped the install suite: the testbed's host has no node (SPILLWAY_TESTBED_HOST_NODE=1, as root)");

const REPOSITORY = "localhost/spillway";
const TAG = "e2e";
const UPGRADE_TAG = "e2e-upgrade";
const RELEASE = "e2e-install";
// The member kubeconfig Secrets live in the testbed's release namespace, the only one whose
// Secrets a release's services may read.
const NS = SYSTEM_NAMESPACE;
const topology = loadTopology();
const helm = (args: string[]) => runHelm(args, { kubeconfig: e2eKubeconfig, context: contextOf("host") });

interface PodView {
  name: string;
  service: string;
  image: string;
  ready: boolean;
  uid: string;
}

async function releasePods(): Promise<PodView[]> {
  const list = await kubeConfigFor("host")
    .makeApiClient(CoreV1Api)
    .listNamespacedPod({ namespace: NS, labelSelector: `app.kubernetes.io/instance=${RELEASE}` });
  return list.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => ({
      name: p.metadata!.name!,
      service: p.metadata!.labels?.["app.kubernetes.io/name"] ?? "",
      image: p.spec!.containers[0]!.image!,
      ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      uid: p.metadata!.uid!,
    }));
}

/** Each service's Lease holder. */
async function leaders(): Promise<Record<string, string>> {
  const leases = kubeConfigFor("host").makeApiClient(CoordinationV1Api);
  return Object.fromEntries(
    await Promise.all(
      SERVICES.map(async (s) => [
        s,
        (await leases.readNamespacedLease({ namespace: NS, name: `spillway-${s}` })).spec?.holderIdentity ?? "",
      ]),
    ),
  );
}

/** Every service's two pods Ready on `tag`, and each service led by one of its own pods. */
const controlPlaneOn = (tag: string) =>
  eventually(
    `ten pods Ready on ${tag}, each service led by one of them`,
    async () => {
      const pods = await releasePods();
      const lead = await leaders();
      const ok =
        pods.length === 10 &&
        pods.every((p) => p.ready && p.image === `${REPOSITORY}:${tag}`) &&
        SERVICES.every((s) => pods.some((p) => p.service === s && p.name === lead[s]));
      return ok ? { pods, lead } : undefined;
    },
    120_000,
    500,
  );

describeOnNode("helm install on a host that runs pods", () => {
  const fds = new ResourceClient<FederatedDeployment>(kubeConfigFor("host"), federatedDeploymentKind);
  const ns = uniqueName("e2e-install");
  const natsUrl = `nats://${node?.network.address}:${natsPorts(topology).client}`;
  const workload = (name: string, replicas: number, perMember?: number) =>
    federatedDeployment({
      namespace: ns,
      name,
      replicas,
      requests: { cpu: "500m" },
      spec: {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        // Each round of the rollout lasts seconds, so the leader's pod goes in the middle of it.
        minReadySeconds: 3,
        ...(perMember ? { placement: { clusters: MEMBERS.map((m) => ({ name: m, maxReplicas: perMember })) } } : {}),
      },
    });
  const settled = (name: string, replicas: number, image: string) =>
    eventually(
      `${name} at ${replicas} on ${image}`,
      async () => {
        const fd = await fds.get({ namespace: ns, name });
        const s = fd.status;
        return s?.observedGeneration === fd.metadata.generation &&
          fd.spec.template.spec?.containers[0]?.image === image &&
          s?.updatedReplicas === replicas &&
          s?.availableReplicas === replicas &&
          s?.replicas === replicas
          ? fd
          : undefined;
      },
      240_000,
      250,
    );
  /** Each member's Deployment of `name` (uid, generation, replicas) and its pods' uids: what a disturbance changes. */
  const memberState = async (name: string) =>
    Object.fromEntries(
      await Promise.all(
        MEMBERS.map(async (m) => {
          const kc = kubeConfigFor(m);
          const d = await kc
            .makeApiClient(AppsV1Api)
            .readNamespacedDeployment({ namespace: ns, name })
            .catch(() => undefined);
          const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` });
          return [
            m,
            {
              deployment: d ? `${d.metadata!.uid}/${d.metadata!.generation}/${d.spec!.replicas}` : "none",
              pods: pods.items.map((p) => p.metadata!.uid!).sort(),
            },
          ];
        }),
      ),
    );

  /** Both workloads' member state: what upgrading or uninstalling the control plane must leave alone. */
  const workloadsState = () => Promise.all([memberState("web"), memberState("api")]);

  beforeAll(async () => {
    buildImage(`${REPOSITORY}:${TAG}`);
    // The upgrade's image: the same build under a new tag, as a release pipeline retags.
    buildahOk(["tag", `${REPOSITORY}:${TAG}`, `${REPOSITORY}:${UPGRADE_TAG}`]);
    loadImage(node!, `${REPOSITORY}:${TAG}`);
    loadImage(node!, `${REPOSITORY}:${UPGRADE_TAG}`);
    console.log(`image ${REPOSITORY}:${TAG}: ${buildahOk(["images", "--format", "{{.Size}}", `${REPOSITORY}:${TAG}`])}`);
    await createNamespace("host", ns);
  }, 900_000);

  afterAll(async () => {
    await helm(["uninstall", RELEASE, "--namespace", NS, "--ignore-not-found", "--wait"]);
    await deleteNamespace("host", ns);
    for (const m of MEMBERS) await deleteNamespace(m, ns);
  });

  it("installs with --wait: five services, two Ready pods each from the image, one leader each", async () => {
    const started = Date.now();
    const r = await helm([
      "install",
      RELEASE,
      CHART_DIR,
      "--namespace",
      NS,
      "--wait",
      "--timeout=5m",
      "--set",
      `image.repository=${REPOSITORY}`,
      "--set",
      `image.tag=${TAG}`,
      "--set",
      "image.pullPolicy=Never",
      "--set",
      `nats.url=${natsUrl}`,
      // The fleet API beside each gateway: given nothing of the host's but its API (no etcd, no key).
      "--set",
      "fleetAPI.enabled=true",
    ]);
    const seconds = (Date.now() - started) / 1000;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    console.log(`helm install --wait: all Ready in ${seconds.toFixed(1)}s`);
    const { pods, lead } = await controlPlaneOn(TAG);
    expect(new Set(pods.map((p) => p.service))).toEqual(new Set(SERVICES));
    for (const s of SERVICES) expect(pods.filter((p) => p.service === s)).toHaveLength(2);
    expect(Object.values(lead).every((holder) => holder.startsWith(`${RELEASE}-spillway-`))).toBe(true);

    // What each service costs as a pod: the kubelet's own accounting (working set).
    const summary = await kubectl("host", ["get", "--raw", `/api/v1/nodes/${node!.network.name}/proxy/stats/summary`]);
    expect(summary.code).toBe(0);
    const stats = JSON.parse(summary.stdout) as {
      pods: Array<{ podRef: { name: string }; containers: Array<{ name: string; memory?: { workingSetBytes?: number } }> }>;
    };
    const memory: Record<string, string> = {};
    for (const s of SERVICES) {
      const containers = stats.pods.filter((p) => p.podRef.name.startsWith(`${RELEASE}-spillway-${s}-`)).flatMap((p) => p.containers);
      for (const name of new Set(containers.map((c) => c.name))) {
        const each = containers.filter((c) => c.name === name).map((c) => c.memory?.workingSetBytes ?? 0);
        memory[name] = `${(each.reduce((a, b) => a + b, 0) / each.length / 2 ** 20).toFixed(0)} MiB`;
      }
    }
    console.log(`memory per replica (working set, per container): ${JSON.stringify(memory)}`);
    expect(Object.keys(memory).sort()).toEqual([...SERVICES, "fleet-apiserver"].sort());
  });

  it("runs the demo's story: a FederatedDeployment applied on the host is placed IDC-first and its member Deployments appear", async () => {
    await fds.create(workload("web", 12));
    await settled("web", 12, testImage(1));
    const state = await memberState("web");
    // idc-1 ranks first and has room for all twelve.
    expect(state["idc-1"]!.pods).toHaveLength(12);
    expect(state["idc-2"]!.deployment).toBe("none");
    expect(state["cloud-1"]!.deployment).toBe("none");
  });

  it("serves kubectl through the fleet apiserver running in the gateway's pods", async () => {
    const ip = (
      await kubectl("host", ["get", "service", `${RELEASE}-spillway-fleet-api`, "--namespace", NS, "-o", "jsonpath={.spec.clusterIP}"])
    ).stdout;
    const token = kubeConfigFor("host").getCurrentUser()?.token;
    // The chart's default serving certificate is the fleet apiserver's own self-signed one (no
    // servingSecret): nothing to verify it against, as for a user who sets none.
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "fleet-in-pod-")), "kubeconfig");
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fleet", cluster: { server: `https://${ip}:443`, "insecure-skip-tls-verify": true } }],
        users: [{ name: "admin", user: { token } }],
        contexts: [{ name: "fleet", context: { cluster: "fleet", user: "admin" } }],
        "current-context": "fleet",
      }),
      { mode: 0o600 },
    );
    const pods = await eventually(
      "web's twelve pods through the fleet API",
      async () => {
        const r = await runKubectl({ kubeconfig, context: "fleet", bin: kubectlBin }, [
          "get",
          "pods",
          "--namespace",
          ns,
          "-l",
          "app=web",
          "-o",
          "json",
        ]);
        const items =
          r.code === 0 ? (JSON.parse(r.stdout) as { items: Array<{ metadata: { labels: Record<string, string> } }> }).items : [];
        return items.length === 12 ? items : undefined;
      },
      60_000,
      500,
    );
    expect(new Set(pods.map((p) => p.metadata.labels["spillway.dev/cluster"]))).toEqual(new Set(["idc-1"]));
    // With no etcd of the host's: its namespaces and Spillway's objects come through the host's API.
    const fleet = (args: string[]) => runKubectl({ kubeconfig, context: "fleet", bin: kubectlBin }, args);
    expect((await fleet(["get", "namespace", ns, "-o", "name"])).stdout.trim()).toBe(`namespace/${ns}`);
    expect((await fleet(["get", "federateddeployments", "--namespace", ns, "-o", "name"])).stdout.trim()).toBe(
      "federateddeployment.spillway.dev/web",
    );
    expect((await fleet(["get", "deployments", "--namespace", ns, "-o", "name"])).stdout.trim()).toBe("deployment.apps/web");
  });

  it("deleting fleet-root's leader pod mid-rollout breaks no bound, and the rollout completes", async () => {
    await fds.create(workload("api", 24, 8));
    await settled("api", 24, testImage(1));
    const bounds = await watchFleetBounds(MEMBERS, ns, "api");
    await setImage(fds, ns, "api", testImage(2));
    // Under way: the new template observed (the status of the old one says 24 updated) and some pods on it.
    const atDeletion = await eventually(
      "rollout under way",
      async () => {
        const fd = await fds.get({ namespace: ns, name: "api" });
        const updated = fd.status?.updatedReplicas ?? 0;
        return fd.status?.observedGeneration === fd.metadata.generation && updated >= 3 ? updated : undefined;
      },
      60_000,
      100,
    );
    const leader = (await leaders())["fleet-root"]!;
    const deleted = await kubectl("host", ["delete", "pod", leader, "--namespace", NS, "--wait=false"]);
    expect(deleted.code).toBe(0);
    const next = await eventually(
      "another fleet-root pod leads",
      async () => {
        const holder = (await leaders())["fleet-root"];
        return holder && holder !== leader ? holder : undefined;
      },
      60_000,
      250,
    );
    await settled("api", 24, testImage(2));
    const seen = await bounds.stop();
    console.log(`fleet-root leader ${leader} deleted at ${atDeletion}/24 updated; ${next} took over`);
    expect(atDeletion).toBeLessThan(24);
    expect(seen.changes).toBeGreaterThan(10);
    // 24 + 25% surge; none unavailable.
    expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(30);
    expect(seen.minReady).toBeGreaterThanOrEqual(24);
  });

  it("helm upgrade to a new image tag rolls every service's pods and disturbs no workload", async () => {
    await controlPlaneOn(TAG);
    const before = await workloadsState();
    const old = new Set((await releasePods()).map((p) => p.uid));
    const started = Date.now();
    const r = await helm([
      "upgrade",
      RELEASE,
      CHART_DIR,
      "--namespace",
      NS,
      "--reuse-values",
      "--wait",
      "--timeout=5m",
      "--set",
      `image.tag=${UPGRADE_TAG}`,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { pods } = await controlPlaneOn(UPGRADE_TAG);
    console.log(`helm upgrade --wait to ${UPGRADE_TAG}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    expect(pods.filter((p) => old.has(p.uid))).toEqual([]);
    // The new control plane has read the fleet and found nothing to change.
    await settled("web", 12, testImage(1));
    await settled("api", 24, testImage(2));
    expect(await workloadsState()).toEqual(before);
  });

  it("helm uninstall removes the control plane and leaves the workloads and CRDs in place", async () => {
    const before = await workloadsState();
    const r = await helm(["uninstall", RELEASE, "--namespace", NS, "--wait"]);
    expect(r.code).toBe(0);
    await eventually("the release's pods gone", async () => ((await releasePods()).length === 0 ? true : undefined), 120_000, 500);
    expect(
      (await fds.list()).items
        .filter((f) => f.metadata.namespace === ns)
        .map((f) => f.metadata.name)
        .sort(),
    ).toEqual(["api", "web"]);
    const crds = await kubectl("host", ["get", "crd", "-o", "name"]);
    expect(crds.stdout).toContain("customresourcedefinition.apiextensions.k8s.io/federateddeployments.spillway.dev");
    expect(await workloadsState()).toEqual(before);
  });
});
