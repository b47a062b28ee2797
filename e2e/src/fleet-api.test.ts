/**
 * The fleet API (docs/adr/0008): one Kubernetes API over every member, judged by real clients —
 * the testbed's kubectl through the `fleet` context and client-node's informer — against what the
 * members themselves answer. A real cluster-gateway serves the storage; the testbed's
 * fleet-apiserver (kube-apiserver's own code) serves the API.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from "@kubernetes/client-node";
import { clusterLabel } from "@spillway/api";
import { Informer } from "@spillway/kit";
import { startFleetApi, stopFleetApi, bin, testbedDir, probe, ProcessTable } from "@spillway/testbed";
import { contextOf, e2eKubeconfig, fleetStorageAddr, kubeConfigFor, kubectlBin, testImage, type ClusterRole } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { partition } from "./partition.ts";
import { MEMBERS } from "./rollout-services.ts";
import { itOnLocalTestbed } from "./local-testbed.ts";
import { startService, stop, waitReady, type RunningService } from "./service-process.ts";

const ns = uniqueName("e2e-fleet");
/** Pods per member; `shared` exists in all three, to show the same-name policy. */
const layout: Record<string, string[]> = { "idc-1": ["a-0", "a-1", "shared"], "idc-2": ["b-0", "shared"], "cloud-1": ["c-0", "shared"] };
const fleetNames = ["a-0", "a-1", "b-0", "c-0", "shared", "shared.cloud-1", "shared.idc-2"];

const pod = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels: { app: "fleet-e2e", ...labels } },
  // No requests: the scheduler's suites that may run next count members' free capacity, and these
  // pods may still be terminating with their namespace when they start.
  spec: { containers: [{ name: "app", image: testImage(1) }] },
});

async function ok(role: ClusterRole | "fleet", args: string[], input?: string): Promise<string> {
  const r = await kubectl(role, args, input);
  if (r.code !== 0) throw new Error(`kubectl --context ${role} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const podNames = async (role: ClusterRole | "fleet", extra: string[] = []) =>
  (await ok(role, ["get", "pods", "-n", ns, "-o", "name", ...extra]))
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace("pod/", ""))
    .sort();

let gateway: RunningService;

describe("the fleet API: one Kubernetes API over every member", () => {
  beforeAll(async () => {
    gateway = await startGateway();
    await startFleetApi();
    // The namespace lives on the host too, as a federation's namespaces do: writes through the fleet
    // API are admitted by the host's namespace lifecycle.
    await createNamespace("host", ns);
    for (const m of MEMBERS) {
      await createNamespace(m, ns);
      await ok(m, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: layout[m]!.map((n) => pod(n)) }));
    }
    for (const m of MEMBERS) {
      await eventually(`${m}: the test pods Running`, async () => {
        const phases = (await ok(m, ["get", "pods", "-n", ns, "-o", "jsonpath={.items[*].status.phase}"])).split(" ");
        return phases.length === layout[m]!.length && phases.every((p) => p === "Running") ? true : undefined;
      });
    }
    // The fleet API serves members' pods once the gateway has listed them.
    await eventually("the fleet API lists every member's pods", async () =>
      (await podNames("fleet")).join() === fleetNames.join() ? true : undefined,
    );
  }, 180_000);

  afterAll(async () => {
    for (const m of [...MEMBERS, "host" as const]) await deleteNamespace(m, ns);
    await stopFleetApi();
    if (gateway) await stop(gateway);
  });

  it("kubectl get pods: the union of the members' pods, the same columns as a member, the cluster as a label", async () => {
    const fleetJson = JSON.parse(await ok("fleet", ["get", "pods", "-n", ns, "-o", "json"])) as { items: V1Pod[] };
    const byName = new Map(fleetJson.items.map((p) => [p.metadata!.name!, p]));
    for (const m of MEMBERS) {
      const member = JSON.parse(await ok(m, ["get", "pods", "-n", ns, "-o", "json"])) as { items: V1Pod[] };
      for (const p of member.items) {
        const servedAs = byName.get(p.metadata!.name!)?.metadata?.uid === p.metadata!.uid ? p.metadata!.name! : `${p.metadata!.name}.${m}`;
        const f = byName.get(servedAs)!;
        expect(f.metadata!.uid).toBe(p.metadata!.uid);
        expect(f.metadata!.labels![clusterLabel]).toBe(m);
        expect(f.spec!.nodeName).toBe(p.spec!.nodeName);
        expect(f.status!.phase).toBe(p.status!.phase);
      }
    }
    // The best-ranked member (IDC, then by name) keeps a shared name.
    expect(byName.get("shared")!.metadata!.labels![clusterLabel]).toBe("idc-1");

    const header = (out: string) =>
      out
        .split("\n")[0]!
        .trim()
        .split(/\s{2,}/);
    const memberWide = await ok("idc-1", ["get", "pods", "-n", ns, "-o", "wide"]);
    const fleetWide = await ok("fleet", ["get", "pods", "-n", ns, "-o", "wide", "-L", clusterLabel]);
    expect(header(fleetWide)).toEqual([...header(memberWide), "CLUSTER"]);
    const row = fleetWide.split("\n").find((l) => l.startsWith("c-0 "))!;
    expect(row).toMatch(/\s1\/1\s+Running\s/);
    expect(row.trim().endsWith("cloud-1")).toBe(true);
  });

  it("label and field selectors apply across members, as a member's API applies them", async () => {
    expect(await podNames("fleet", ["-l", `${clusterLabel}=idc-2`])).toEqual(["b-0", "shared.idc-2"]);
    const node = (await ok("cloud-1", ["get", "pod", "c-0", "-n", ns, "-o", "jsonpath={.spec.nodeName}"])).trim();
    const onNode = await podNames("fleet", ["--field-selector", `spec.nodeName=${node},status.phase=Running`]);
    const expected = (await podNames("cloud-1", ["--field-selector", `spec.nodeName=${node},status.phase=Running`])).map((n) =>
      n === "shared" ? "shared.cloud-1" : n,
    );
    expect(onNode).toEqual(expected);
    expect(onNode).toContain("c-0");
  });

  it("pages with limit/continue across members: --chunk-size=2 gives the whole list", async () => {
    const r = await kubectl("fleet", ["get", "pods", "-n", ns, "-o", "name", "--chunk-size=2", "-v=6"]);
    expect(r.code).toBe(0);
    const names = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.replace("pod/", ""))
      .sort();
    expect(names).toEqual(fleetNames);
    // 7 pods in pages of 2: four requests, three of them continuing.
    expect((r.stderr.match(/limit=2/g) ?? []).length).toBe(4);
    expect((r.stderr.match(/continue=/g) ?? []).length).toBe(3);
  });

  it("kubectl get -w shows a pod created in a member, and its deletion", async () => {
    const watch = startKubectlWatch();
    try {
      await eventually("the watch lists the pods", async () => (watch.output().includes("ADDED") ? true : undefined));
      await ok("cloud-1", ["apply", "-f", "-"], JSON.stringify(pod("watched")));
      await eventually("ADDED watched", async () => (/ADDED\s+watched\s/.test(watch.output()) ? true : undefined));
      await ok("cloud-1", ["delete", "pod", "watched", "-n", ns, "--grace-period=0", "--force"]);
      await eventually("DELETED watched", async () => (/DELETED\s+watched\s/.test(watch.output()) ? true : undefined));
    } finally {
      watch.stop();
    }
  });

  it("kubectl logs of a member pod through the fleet API is the member's own answer", async () => {
    const viaFleet = await ok("fleet", ["logs", "c-0", "-n", ns]);
    expect(viaFleet).toBe(await ok("cloud-1", ["logs", "c-0", "-n", ns]));
    expect(viaFleet).toContain("hello from a pod in cloud-1");
  });

  it("kubectl delete through the fleet API deletes the pod in its member", async () => {
    await ok("fleet", ["delete", "pod", "shared.idc-2", "-n", ns, "--timeout=60s"]);
    await eventually("shared gone from idc-2", async () => ((await podNames("idc-2")).includes("shared") ? undefined : true));
    expect(await podNames("idc-1")).toContain("shared");
    expect(await podNames("fleet")).not.toContain("shared.idc-2");
  });

  it("an update through the fleet API reaches the member (labels), under the member's own name", async () => {
    await ok("fleet", ["label", "pod", "shared.cloud-1", "-n", ns, "reviewed=yes"]);
    expect(await ok("cloud-1", ["get", "pod", "shared", "-n", ns, "-o", "jsonpath={.metadata.labels.reviewed}"])).toBe("yes");
    // The fleet's own label stays the fleet's: the member's object does not get it.
    expect(await ok("cloud-1", ["get", "pod", "shared", "-n", ns, "-o", `jsonpath={.metadata.labels.spillway\\.dev/cluster}`])).toBe("");
  });

  it("a create of a bare Pod is refused, naming what to create instead", async () => {
    const r = await kubectl("fleet", ["apply", "-f", "-"], JSON.stringify(pod("created-on-fleet")));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("create a Deployment or StatefulSet through the fleet");
    for (const m of MEMBERS) expect(await podNames(m)).not.toContain("created-on-fleet");
  });

  it("spillway.dev kinds and namespaces come from the host", async () => {
    expect((await ok("fleet", ["get", "memberclusters", "-o", "name"])).split("\n").filter(Boolean).sort()).toEqual(
      (await ok("host", ["get", "memberclusters", "-o", "name"])).split("\n").filter(Boolean).sort(),
    );
    const fleetNodes = (await ok("fleet", ["get", "nodes", "-o", "name"])).split("\n").filter(Boolean).length;
    let memberNodes = 0;
    for (const m of MEMBERS) memberNodes += (await ok(m, ["get", "nodes", "-o", "name"])).split("\n").filter(Boolean).length;
    expect(fleetNodes).toBe(memberNodes);
  });

  it("needs no host etcd: the host's namespaces and Spillway's kinds are read through the host's API, and written there", async () => {
    // A namespace made through the fleet is the host's; deleted through the fleet, it goes there.
    const made = uniqueName("e2e-fleet-made");
    await ok("fleet", ["create", "namespace", made]);
    expect(await ok("host", ["get", "namespace", made, "-o", "jsonpath={.metadata.name}"])).toBe(made);
    await ok("fleet", ["delete", "namespace", made, "--wait=false"]);
    await eventually(`namespace ${made} gone from the host`, async () =>
      (await kubectl("host", ["get", "namespace", made])).code !== 0 ? true : undefined,
    );
    // Spillway's CRDs are served (read-only); no other CRD of the host, and no RBAC objects of the fleet's own.
    expect(await ok("fleet", ["get", "crd", "-o", "name"])).toContain("federateddeployments.spillway.dev");
    const relabel = await kubectl("fleet", ["label", "crd", "federateddeployments.spillway.dev", "e2e=yes"]);
    expect(relabel.stderr).toContain("CustomResourceDefinitions are installed on the host");
    expect(await ok("host", ["get", "crd", "federateddeployments.spillway.dev", "-o", "jsonpath={.metadata.labels.e2e}"])).toBe("");
    const rbac = await kubectl("fleet", ["get", "clusterroles"]);
    expect(rbac.stderr).toContain('the server doesn\'t have a resource type "clusterroles"');
    // A kind the fleet neither serves from the clusters nor keeps for itself is refused, not kept where a restart would lose it.
    const pdb = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web", namespace: ns },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } },
    };
    const refused = await kubectl("fleet", ["apply", "-f", "-"], JSON.stringify(pdb));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("poddisruptionbudgets are not kept by the fleet API");
    expect((await ok("fleet", ["get", "pdb", "-n", ns, "-o", "name"])).trim()).toBe("");
  });

  it("discovery and OpenAPI are whole: api-resources without a warning, kubectl explain of a member kind and a Spillway kind", async () => {
    const resources = await kubectl("fleet", ["api-resources", "-o", "name"]);
    expect(resources.code).toBe(0);
    expect(resources.stderr).toBe("");
    expect(resources.stdout.split("\n")).toEqual(expect.arrayContaining(["pods", "nodes", "federateddeployments.spillway.dev"]));
    expect(await ok("fleet", ["explain", "pods.spec.nodeName"])).toContain("nodeName");
    expect(await ok("fleet", ["explain", "federateddeployments.spec"])).toContain("placement");
  });

  it("who may do what is the host's: no token 401, a token without rights 403", async () => {
    const server = kubeConfigFor("fleet").getCurrentCluster()!.server;
    const anonymous = await probe(`${server}/api/v1/namespaces/${ns}/pods`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    const noToken = await kubectl("fleet", ["get", "pods", "-A", "--token=not-a-token"]);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain("Unauthorized");
    await ok("host", ["create", "serviceaccount", "fleet-e2e-nobody", "-n", "default"]).catch(() => "");
    const token = (await ok("host", ["create", "token", "fleet-e2e-nobody", "-n", "default"])).trim();
    const forbidden = await kubectl("fleet", ["get", "pods", "-n", ns, `--token=${token}`]);
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toContain(`User "system:serviceaccount:default:fleet-e2e-nobody" cannot list resource "pods"`);
  });

  it("a grant in one namespace is that namespace's: listed there, refused elsewhere", async () => {
    await ok("host", ["create", "serviceaccount", "fleet-e2e-viewer", "-n", "default"]).catch(() => "");
    // A Role of its own: the host's controller-manager runs no ClusterRole aggregator to fill `view`.
    await ok("host", ["create", "role", "fleet-e2e-viewer", "-n", ns, "--verb=get,list,watch", "--resource=pods"]);
    await ok("host", [
      "create",
      "rolebinding",
      "fleet-e2e-viewer",
      "-n",
      ns,
      "--role=fleet-e2e-viewer",
      "--serviceaccount=default:fleet-e2e-viewer",
    ]);
    const token = (await ok("host", ["create", "token", "fleet-e2e-viewer", "-n", "default"])).trim();
    // The host's RBAC has the binding before the fleet asks it (a refusal would be cached by the
    // fleet apiserver's authorization webhook for its unauthorized TTL).
    await eventually("the host grants the binding", async () =>
      (
        await kubectl("host", ["auth", "can-i", "list", "pods", "-n", ns, "--as=system:serviceaccount:default:fleet-e2e-viewer"])
      ).stdout.trim() === "yes"
        ? true
        : undefined,
    );
    const allowed = await kubectl("fleet", ["get", "pods", "-n", ns, "-o", "name", `--token=${token}`]);
    expect(allowed.stderr).toBe("");
    expect(allowed.stdout.split("\n").filter(Boolean).length).toBeGreaterThan(0);
    const elsewhere = await kubectl("fleet", ["get", "pods", "-n", "default", `--token=${token}`]);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain(
      `User "system:serviceaccount:default:fleet-e2e-viewer" cannot list resource "pods" in API group "" in the namespace "default"`,
    );
  });

  it("a watch resumed from a revision the fleet no longer holds is 410 Gone, so the client relists", async () => {
    const kc = kubeConfigFor("fleet");
    const r = await probe(
      `${kc.getCurrentCluster()!.server}/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=1&timeoutSeconds=2`,
      kc.getCurrentUser()!.token!,
      10_000,
    );
    // kube-apiserver answers either at once (410) or as the watch's first event (an ERROR with the Status).
    const status = r.status === 410 ? JSON.parse(r.body) : (JSON.parse(r.body.split("\n")[0]!) as { type: string; object: unknown }).object;
    expect(status).toMatchObject({ kind: "Status", code: 410, reason: expect.stringMatching(/Expired|Gone/) });
  });

  it("a status write through the fleet API reaches the member's status", async () => {
    const condition = { type: "spillway.dev/Reviewed", status: "True", reason: "E2E" };
    await ok("fleet", [
      "patch",
      "pod",
      "c-0",
      "-n",
      ns,
      "--subresource=status",
      "--type=strategic",
      "-p",
      JSON.stringify({ status: { conditions: [condition] } }),
    ]);
    const member = JSON.parse(await ok("cloud-1", ["get", "pod", "c-0", "-n", ns, "-o", "json"])) as V1Pod;
    expect(member.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining(condition)]));
    expect(member.status?.phase).toBe("Running");
  });

  it("bad input gets kube-apiserver's own answers", async () => {
    const same = async (args: string[]) => {
      const f = await kubectl("fleet", args);
      const m = await kubectl("idc-1", args);
      expect(f.code).not.toBe(0);
      expect(f.stderr.replace(/--context \S+/, "")).toBe(m.stderr.replace(/--context \S+/, ""));
    };
    await same(["get", "pods", "-n", ns, "-l", "app in (x"]);
    await same(["get", "pods", "-n", ns, "--field-selector", "spec.bogus=1"]);
    await same(["get", "--raw", `/api/v1/namespaces/${ns}/pods?resourceVersion=abc`]);
    await same(["get", "--raw", `/api/v1/namespaces/${ns}/pods?limit=1&continue=garbage`]);
    await same(["get", "frobnicators"]);
  });

  it("WatchList: initial events, then the bookmark that ends them (k8s.io/initial-events-end)", async () => {
    const kc = kubeConfigFor("fleet");
    const server = kc.getCurrentCluster()!.server;
    const token = kc.getCurrentUser()!.token!;
    const query = "watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=5";
    const r = await probe(`${server}/api/v1/namespaces/${ns}/pods?${query}`, token, 10_000);
    expect(r.status).toBe(200);
    const events = r.body
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; object: V1Pod });
    const end = events.findIndex((e) => e.type === "BOOKMARK" && e.object.metadata?.annotations?.["k8s.io/initial-events-end"] === "true");
    expect(end).toBeGreaterThan(0);
    const initial = events.slice(0, end);
    expect(initial.every((e) => e.type === "ADDED")).toBe(true);
    expect(initial.map((e) => e.object.metadata!.name!).sort()).toEqual(await podNames("fleet"));
  });

  it("client-go's and client-node's informers through the fleet API end equal to the members' union after 200 creates and 100 deletes, a gateway restart and a cut-off member", async () => {
    const informers = await fleetInformers();
    try {
      await informers.converge("start");
      // Churn: 200 creates spread over the members, then half of them deleted, every change
      // client-node's informer delivers judged (later, a restart and a cut make it relist, which
      // replays a new list as single events: those stretches are judged where they end).
      informers.judgeEveryEvent(true);
      const churn = Array.from({ length: 200 }, (_, i) => ({ m: MEMBERS[i % 3]!, name: `churn-${i}` }));
      await Promise.all(
        MEMBERS.map((m) =>
          ok(
            m,
            ["apply", "-f", "-"],
            JSON.stringify({ apiVersion: "v1", kind: "List", items: churn.filter((c) => c.m === m).map((c) => pod(c.name)) }),
          ),
        ),
      );
      const deleted = (m: ClusterRole) => churn.filter((c, i) => c.m === m && i % 2 === 0).map((c) => c.name);
      await Promise.all(MEMBERS.map((m) => ok(m, ["delete", "pods", "-n", ns, "--grace-period=0", "--force", ...deleted(m)])));
      await informers.converge("after churn");
      informers.judgeEveryEvent(false);
      expect(informers.judged()).toBeGreaterThanOrEqual(300);
      expect(informers.firstInconsistency()).toBeUndefined();
      // The gateway restarts: its revisions start over from the clock, the fleet apiserver relists,
      // and the informers resume or relist by themselves. Pods deleted while it was away are gone.
      await stop(gateway);
      await ok("idc-1", ["delete", "pods", "-n", ns, "--grace-period=0", "--force", "churn-3", "churn-9"]);
      gateway = await startGateway();
      await informers.converge("after a gateway restart");
      // A member cut off from the gateway: pods deleted meanwhile are deleted in the informers'
      // caches once it is back (the gateway's relist diff reaches open watches).
      const heal = await partition("idc-2");
      try {
        await eventually("the gateway sees idc-2 unreachable", async () => ((await memberReady("idc-2")) === "False" ? true : undefined));
        await ok("idc-2", ["delete", "pods", "-n", ns, "--grace-period=0", "--force", "churn-7", "churn-13"]);
        await ok("idc-2", ["apply", "-f", "-"], JSON.stringify(pod("born-while-cut-off")));
      } finally {
        await heal();
      }
      await informers.converge("after idc-2 was cut off and healed");
    } finally {
      informers.stop();
    }
  });

  itOnLocalTestbed(
    "the informers follow a member whose API server restarts: changes made after it is back reach them",
    async () => {
      const informers = await fleetInformers();
      try {
        await informers.converge("start");
        const table = new ProcessTable(testbedDir);
        await table.stopOne("cloud-1-kube-apiserver");
        table.restart("cloud-1-kube-apiserver");
        await eventually("cloud-1 answers again", async () =>
          (await kubectl("cloud-1", ["get", "--raw", "/readyz"])).code === 0 ? true : undefined,
        );
        await ok("cloud-1", ["delete", "pod", "c-0", "-n", ns, "--grace-period=0", "--force"]);
        await ok("cloud-1", ["apply", "-f", "-"], JSON.stringify(pod("after-restart")));
        await informers.converge("after cloud-1's API server restarted");
        expect(informers.names()).toContain("after-restart");
        expect(informers.names()).not.toContain("c-0");
        // Leave cloud-1 as it was found: its aggregated metrics API (metrics-server authenticates
        // through the restarted API server) answers again before the next suite reads it.
        if ((await kubectl("cloud-1", ["get", "apiservice", "v1beta1.metrics.k8s.io"])).code === 0)
          await eventually(
            "cloud-1's metrics.k8s.io answers again",
            async () =>
              (await kubectl("cloud-1", ["get", "--raw", `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`])).code === 0
                ? true
                : undefined,
            120_000,
            1000,
          );
        await eventually("cloud-1 Ready again", async () => ((await memberReady("cloud-1")) === "True" ? true : undefined), 60_000);
      } finally {
        informers.stop();
      }
    },
    "cloud-1-kube-apiserver",
  );
});

const memberReady = (m: ClusterRole) =>
  ok("host", ["get", "membercluster", m, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`]);

const startGateway = async () => {
  const g = await startService("cluster-gateway", uniqueName("gw-fleet"), [
    `--fleet-storage-addr=${fleetStorageAddr}`,
    "--probe-interval=1",
  ]);
  await waitReady(g);
  return g;
};

/** The members' pods of the test namespace, as `cluster/uid`. */
async function union(): Promise<string[]> {
  const out: string[] = [];
  for (const m of MEMBERS) {
    const pods = await kubeConfigFor(m).makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns });
    for (const p of pods.items) out.push(`${m}/${p.metadata!.uid}`);
  }
  return out.sort();
}

/**
 * Two real informers through the fleet API: client-node's, and client-go's SharedInformerFactory
 * for pods and nodes with WatchList on (as every Kubernetes controller reads). `converge` waits
 * until both caches hold exactly the members' pods (and all their nodes), never a stale object.
 */
async function fleetInformers() {
  const kc = new KubeConfig();
  kc.loadFromFile(e2eKubeconfig);
  kc.setCurrentContext(contextOf("fleet"));
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }));
  let stopped = false;
  informer.on("error", () => {
    // client-node's informer stops on an error; a user restarts it, as kit's Informer does.
    setTimeout(() => void (stopped || informer.start()), 500);
  });
  await informer.start();
  const goInformer = startGoInformer();
  let memberNodes = 0;
  for (const m of MEMBERS) memberNodes += (await ok(m, ["get", "nodes", "-o", "name"])).split("\n").filter(Boolean).length;
  const nodeCached = () =>
    informer
      .list()
      .map((p) => `${p.metadata!.labels![clusterLabel]}/${p.metadata!.uid}`)
      .sort();
  const goCached = () => (goInformer.lastLine()?.pods ?? []).map((p) => `${p.split("/")[0]}/${p.split("/")[3]}`).sort();
  const prefix = await consistentPrefix(() => nodeCached());
  for (const type of ["add", "update", "delete"] as const) informer.on(type, () => prefix.record());
  return {
    /** From now on (a stretch with no relist), every change client-node's informer delivers is judged. */
    judgeEveryEvent: (on: boolean) => prefix.judging(on),
    /** The first of the judged states that no moment of the members' own watches had, if any. */
    firstInconsistency: () => prefix.firstInconsistency(),
    judged: () => prefix.judged(),
    names: () => informer.list().map((p) => p.metadata!.name!),
    converge: async (what: string) => {
      const want = (await union()).join();
      await eventually(
        `${what}: both informers' caches equal the members' union (${memberNodes} nodes)`,
        async () =>
          nodeCached().join() === want && goCached().join() === want && goInformer.lastLine()?.nodes === memberNodes ? true : undefined,
        90_000,
      );
    },
    stop: () => {
      stopped = true;
      informer.stop();
      goInformer.stop();
      prefix.stop();
    },
  };
}

/**
 * "Never a stale object", judged on every change an informer delivers: its cache, member by
 * member, must be a state that member's own watch (here, beside it) went through, and never one
 * older than a state it showed before. Members change independently, so each member's part is a
 * prefix of that member's history on its own. Judged lazily (a member's own watch may deliver a
 * moment after the fleet's): `firstInconsistency` compares once both have settled.
 */
async function consistentPrefix(cached: () => string[]) {
  const members = MEMBERS.map((m) => {
    const core = kubeConfigFor(m).makeApiClient(CoreV1Api);
    const history: string[] = [];
    const informer = new Informer<V1Pod & { metadata: { name: string; namespace: string } }>(kubeConfigFor(m), {
      path: `/api/v1/namespaces/${ns}/pods`,
      list: () => core.listNamespacedPod({ namespace: ns }) as never,
      maxBackoffMs: 1000,
    });
    const state = () =>
      informer
        .list(ns)
        .map((p) => `${m}/${p.metadata.uid}`)
        .sort()
        .join();
    informer.addHandler(() => {
      const now = state();
      if (history.at(-1) !== now) history.push(now);
    });
    return { m, informer, history };
  });
  await Promise.all(members.map((x) => x.informer.start()));
  await Promise.all(members.map((x) => x.informer.hasSynced()));
  let on = false;
  const seen: string[][] = [];
  return {
    judging: (v: boolean) => void (on = v),
    judged: () => seen.length,
    record: () => {
      if (!on) return;
      const all = cached();
      seen.push(members.map(({ m }) => all.filter((k) => k.startsWith(`${m}/`)).join()));
    },
    firstInconsistency: (): string | undefined => {
      const at = members.map(() => 0);
      for (const [i, state] of seen.entries())
        for (const [j, { m, history }] of members.entries()) {
          const found = history.indexOf(state[j]!, at[j]!);
          if (found < 0)
            return `change ${i + 1} of ${seen.length}: ${m}'s part ${JSON.stringify(state[j])} is no state ${m} went through since the last`;
          at[j] = found;
        }
      return undefined;
    },
    stop: () => members.forEach((x) => x.informer.stop()),
  };
}

/** The client-go program (`fleet-informer`, built with the testbed's Kubernetes): its latest cache line. */
function startGoInformer() {
  const child = spawn(bin("fleet-informer"), ["--kubeconfig", e2eKubeconfig, "--context", contextOf("fleet"), "--namespace", ns], {
    env: { ...process.env, KUBE_FEATURE_WatchListClient: "true" },
  });
  let buffered = "";
  let last: { pods: string[]; nodes: number } | undefined;
  let errors = "";
  child.stdout.on("data", (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const l of lines) if (l.trim()) last = JSON.parse(l) as { pods: string[]; nodes: number };
  });
  child.stderr.on("data", (d: Buffer) => (errors += d.toString()));
  return {
    lastLine: () => {
      if (child.exitCode !== null) throw new Error(`fleet-informer exited ${child.exitCode}: ${errors}`);
      return last;
    },
    stop: () => child.kill(),
  };
}

/** `kubectl get pods -w --output-watch-events` through the fleet API, as a user runs it. */
function startKubectlWatch() {
  const child = spawn(kubectlBin, [
    "--kubeconfig",
    e2eKubeconfig,
    "--context",
    contextOf("fleet"),
    "get",
    "pods",
    "-n",
    ns,
    "-w",
    "--output-watch-events",
  ]);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return { output: () => out, stop: () => child.kill() };
}
