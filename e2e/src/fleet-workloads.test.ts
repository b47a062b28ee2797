/**
 * An unchanged application through the fleet API (ADR 0009), judged by the real kubectl: a plain
 * manifest of a ConfigMap, a Deployment that mounts it and a Service is applied to the `fleet`
 * context; the Deployment IS the fleet's workload (a FederatedDeployment on the host, placed
 * IDC-first and rolled out by fleet-root), listed once, with a Deployment's status, so kubectl's
 * rollout, scale, set image and restart work unchanged; the ConfigMap follows it into members.
 * What the fleet cannot run is refused at once, leaving nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { bin, runHelm, startFleetApi, stopFleetApi } from "@spillway/testbed";
import { contextOf, e2eKubeconfig, fleetStorageAddr, repoRoot, testImage, type ClusterRole } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS } from "./rollout-services.ts";
import { watchFleetBounds } from "./fleet-bounds.ts";
import { freePort, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const ns = uniqueName("e2e-native");
const leaseNs = uniqueName("e2e-native-lease");

async function ok(role: ClusterRole | "fleet", args: string[], input?: string): Promise<string> {
  const r = await kubectl(role, args, input);
  if (r.code !== 0) throw new Error(`kubectl --context ${role} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const manifest = (replicas: number, image = testImage(1)) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config", namespace: ns }, data: { mode: "plain" } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns, labels: { app: "web" } },
        spec: {
          replicas,
          selector: { matchLabels: { app: "web" } },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: {
              containers: [{ name: "app", image, resources: { requests: { cpu: "100m" } } }],
              volumes: [{ name: "config", configMap: { name: "web-config" } }],
            },
          },
        },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: ns },
        spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
      },
    ],
  });

describe("an unchanged application through the fleet API", () => {
  const procs: RunningService[] = [];

  beforeAll(async () => {
    await createNamespace("host", ns);
    await createNamespace("host", leaseNs);
    const gwPort = await freePort();
    const gw = await startService("cluster-gateway", uniqueName("gw-native"), [
      `--lease-namespace=${leaseNs}`,
      `--grpc-addr=127.0.0.1:${gwPort}`,
      `--fleet-storage-addr=${fleetStorageAddr}`,
      "--probe-interval=1",
      "--hold-down=2",
    ]);
    procs.push(gw);
    await waitReady(gw, 60_000);
    procs.push(
      await startService("scheduler", uniqueName("sched-native"), [`--lease-namespace=${leaseNs}`, `--gateway-addr=127.0.0.1:${gwPort}`]),
    );
    procs.push(await startService("fleet-root", uniqueName("fr-native"), [`--lease-namespace=${leaseNs}`]));
    procs.push(await startService("stateful-orchestrator", uniqueName("so-native"), [`--lease-namespace=${leaseNs}`]));
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    await startFleetApi();
  }, 180_000);

  afterAll(async () => {
    await kubectl("fleet", ["delete", "-f", "-", "--ignore-not-found", "--wait=false"], manifest(0));
    await stopFleetApi();
    await Promise.all(procs.map((p) => stop(p)));
    for (const role of ["host", ...MEMBERS] as const) await deleteNamespace(role, ns);
    await deleteNamespace("host", leaseNs);
  });

  it("kubectl apply of a plain manifest makes the fleet's workload, listed once, placed IDC-first, with its ConfigMap in every member it runs in", async () => {
    const applied = await ok("fleet", ["apply", "-f", "-"], manifest(2));
    expect(applied).toContain("deployment.apps/web created");
    // The Deployment is the FederatedDeployment on the host: one workload, both views.
    expect(await ok("host", ["get", "federateddeployment", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}"])).toBe("2");
    await ok("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
    expect((await ok("fleet", ["get", "deployments", "-n", ns, "-o", "name"])).trim()).toBe("deployment.apps/web");
    const columns = (await ok("fleet", ["get", "deployment", "web", "-n", ns, "--no-headers"])).trim().split(/\s+/);
    expect(columns.slice(0, 4)).toEqual(["web", "2/2", "2", "2"]);
    // The host's view of the same workload reads alike: READY n/m, as kubectl get deployment shows it.
    const [fdHeader, fdRow] = (await ok("host", ["get", "fdeploy", "web", "-n", ns])).trim().split("\n");
    expect(fdHeader!.split(/\s+/)).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(fdRow!.split(/\s+/).slice(0, 4)).toEqual(["web", "2/2", "2", "2"]);
    // IDC first: the members that run it are IDC members, and each holds the ConfigMap.
    const running: ClusterRole[] = [];
    for (const m of MEMBERS) {
      const r = await kubectl(m, ["get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}"]);
      if (r.code === 0 && Number(r.stdout) > 0) running.push(m);
    }
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((m) => m.startsWith("idc"))).toBe(true);
    for (const m of running) expect(await ok(m, ["get", "configmap", "web-config", "-n", ns, "-o", "jsonpath={.data.mode}"])).toBe("plain");
    // The ConfigMap and the Service are listed once: the host's, not each member's copy again.
    expect((await ok("fleet", ["get", "configmap", "web-config", "-n", ns, "-o", "name"])).trim()).toBe("configmap/web-config");
    expect((await ok("fleet", ["get", "services", "-n", ns, "-o", "name"])).trim()).toBe("service/web");
    // The same manifest again is no change: no perpetual diff.
    const again = await ok("fleet", ["apply", "-f", "-"], manifest(2));
    expect(again).toContain("deployment.apps/web unchanged");
    expect(again).toContain("configmap/web-config unchanged");
  });

  it("client-go's Deployment informer through the fleet holds one object per workload, with the fleet-wide status", async () => {
    const child = spawn(bin("fleet-informer"), ["--kubeconfig", e2eKubeconfig, "--context", contextOf("fleet"), "--namespace", ns]);
    let last: { deployments?: string[] } | undefined;
    let buffered = "";
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const l of lines) if (l.trim()) last = JSON.parse(l) as { deployments?: string[] };
    });
    try {
      const d = JSON.parse(await ok("fleet", ["get", "deployment", "web", "-n", ns, "-o", "json"])) as { metadata: { generation: number } };
      const want = `web/2/2/${d.metadata.generation}/${d.metadata.generation}`;
      await eventually("the informer's cache holds web once, 2 of 2 ready, generation observed", async () =>
        JSON.stringify(last?.deployments) === JSON.stringify([want]) ? true : undefined,
      );
    } finally {
      child.kill();
    }
  });

  it("kubectl scale, set image and rollout restart act on the whole fleet, and rollout status waits for it", async () => {
    await ok("fleet", ["scale", "deployment/web", "-n", ns, "--replicas=3"]);
    expect(await ok("host", ["get", "federateddeployment", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}"])).toBe("3");
    await ok("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
    expect((await ok("fleet", ["get", "deployment", "web", "-n", ns, "--no-headers"])).trim().split(/\s+/)[1]).toBe("3/3");

    await ok("fleet", ["set", "image", "deployment/web", "-n", ns, `app=${testImage(2)}`]);
    await ok("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
    for (const m of MEMBERS) {
      const r = await kubectl(m, ["get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]);
      if (r.code === 0) expect(r.stdout).toBe(testImage(2));
    }

    await ok("fleet", ["rollout", "restart", "deployment/web", "-n", ns]);
    const restartedAt = await ok("host", [
      "get",
      "federateddeployment",
      "web",
      "-n",
      ns,
      "-o",
      `jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}`,
    ]);
    expect(restartedAt).not.toBe("");
    await ok("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
    const d = JSON.parse(await ok("fleet", ["get", "deployment", "web", "-n", ns, "-o", "json"])) as {
      metadata: { generation: number };
      status: { observedGeneration: number; conditions: Array<{ type: string; status: string; reason: string }> };
    };
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    expect(d.status.conditions.find((c) => c.type === "Available")).toMatchObject({ status: "True" });
    expect(d.status.conditions.find((c) => c.type === "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
  });

  it("kubectl rollout history lists the fleet's revisions, and rollout undo goes back to the previous template", async () => {
    const history = await ok("fleet", ["rollout", "history", "deployment/web", "-n", ns]);
    // Three templates so far: the first, set image, restart.
    expect(
      history
        .trim()
        .split("\n")
        .filter((l) => /^\d+\s/.test(l.trim())),
    ).toHaveLength(3);
    const sets = JSON.parse(await ok("fleet", ["get", "replicasets", "-n", ns, "-l", "app=web", "-o", "json"])) as {
      items: Array<{ metadata: { ownerReferences?: Array<{ kind: string; name: string }>; labels: Record<string, string> } }>;
    };
    // The fleet's ReplicaSets, owned by the fleet's Deployment, not each member's.
    expect(sets.items.every((rs) => rs.metadata.ownerReferences?.[0]?.name === "web" && !rs.metadata.labels["spillway.dev/cluster"])).toBe(
      true,
    );
    await ok("fleet", ["rollout", "undo", "deployment/web", "-n", ns, "--to-revision=1"]);
    await ok("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
    expect(
      await ok("host", ["get", "federateddeployment", "web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]),
    ).toBe(testImage(1));
  });

  it("kubectl describe and logs deploy/NAME read the fleet's Deployment as one cluster's", async () => {
    const describe = await ok("fleet", ["describe", "deployment", "web", "-n", ns]);
    expect(describe).toMatch(/Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    expect(describe).toMatch(/NewReplicaSet:\s+web-[0-9a-f]{10} \(3\/3 replicas created\)/);
    const logs = await kubectl("fleet", ["logs", "deployment/web", "-n", ns]);
    expect(logs.code).toBe(0);
    // kubectl picks one of the workload's pods, wherever it runs, and reads its member's kubelet.
    const pod =
      /pod\/(\S+)/.exec(logs.stderr)?.[1] ??
      (await ok("fleet", ["get", "pods", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"]));
    const cluster = await ok("fleet", ["get", "pod", pod, "-n", ns, "-o", `jsonpath={.metadata.labels.spillway\\.dev/cluster}`]);
    expect(logs.stdout).toBe(await ok(cluster as ClusterRole, ["logs", pod.replace(`.${cluster}`, ""), "-n", ns]));
  });

  it("kubectl rollout status fails when the fleet-wide rollout exceeds its progress deadline, and a fitting template recovers", async () => {
    await ok("fleet", ["patch", "deployment/web", "-n", ns, "--type=merge", "-p", '{"spec":{"progressDeadlineSeconds":10}}']);
    // 500 CPUs per pod fit in no member: the new template waits for room, then the deadline passes.
    await ok("fleet", ["set", "resources", "deployment/web", "-n", ns, "-c", "app", "--requests=cpu=500"]);
    const r = await kubectl("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=90s"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("exceeded its progress deadline");
    await ok("fleet", ["set", "resources", "deployment/web", "-n", ns, "-c", "app", "--requests=cpu=100m"]);
    await ok("fleet", ["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
  });

  it("an autoscaling/v2 HPA on the Deployment is the workload's FederatedHPA", async () => {
    const hpa = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
      },
    };
    expect(await ok("fleet", ["apply", "-f", "-"], JSON.stringify(hpa))).toContain("horizontalpodautoscaler.autoscaling/web created");
    expect(
      await ok("host", ["get", "federatedhpa", "web", "-n", ns, "-o", "jsonpath={.spec.scaleTargetRef.kind}/{.spec.maxReplicas}"]),
    ).toBe("FederatedDeployment/5");
    expect((await ok("fleet", ["get", "hpa", "web", "-n", ns, "--no-headers"])).trim().split(/\s+/).slice(0, 2)).toEqual([
      "web",
      "Deployment/web",
    ]);
    await ok("fleet", ["delete", "hpa", "web", "-n", ns]);
    expect((await kubectl("host", ["get", "federatedhpa", "web", "-n", ns])).code).toBe(1);
  });

  it("podinfo's public chart, unchanged: helm install --wait through the fleet, upgrade to a new image, uninstall leaves nothing", async () => {
    const chart = join(repoRoot, "..", "shared", "fixtures", "charts", "podinfo");
    const fleet = { kubeconfig: e2eKubeconfig, context: contextOf("fleet") };
    const values = [
      "--set",
      "hpa.enabled=true",
      "--set",
      "hpa.cpu=80",
      "--set",
      "redis.enabled=true",
      "--set",
      "serviceAccount.enabled=true",
    ];
    const install = await runHelm(["install", "shop", chart, "-n", ns, "--wait", "--timeout=3m", ...values], fleet);
    expect([install.code, install.stderr]).toEqual([0, ""]);
    // The chart's Deployments run IDC-first; each member that runs podinfo holds what its pods need.
    expect(
      (await ok("host", ["get", "federateddeployments", "-n", ns, "-o", "name"]))
        .trim()
        .split("\n")
        .filter((l) => l.includes("/shop-"))
        .sort(),
    ).toEqual(["federateddeployment.spillway.dev/shop-podinfo", "federateddeployment.spillway.dev/shop-podinfo-redis"]);
    const account = await ok("fleet", [
      "get",
      "deployment",
      "shop-podinfo",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.template.spec.serviceAccountName}",
    ]);
    for (const m of MEMBERS) {
      const replicas = await kubectl(m, ["get", "deployment", "shop-podinfo", "-n", ns, "-o", "jsonpath={.spec.replicas}"]);
      if (replicas.code !== 0 || Number(replicas.stdout) === 0) continue;
      expect(m.startsWith("idc")).toBe(true);
      expect((await kubectl(m, ["get", "serviceaccount", account, "-n", ns])).code).toBe(0);
      expect((await kubectl(m, ["get", "service", "shop-podinfo", "-n", ns])).code).toBe(0);
    }
    expect(await ok("host", ["get", "federatedhpa", "shop-podinfo", "-n", ns, "-o", "jsonpath={.spec.scaleTargetRef.kind}"])).toBe(
      "FederatedDeployment",
    );

    // helm test: the chart's test hook Pods (not workloads) each run once, in the member running
    // the release, and helm reads their phase and deletes them through the fleet as it asks.
    const test = await runHelm(["test", "shop", "-n", ns, "--timeout=2m"], fleet);
    expect([test.code, test.stderr]).toEqual([0, ""]);
    const suites = [...test.stdout.matchAll(/TEST SUITE:\s+(\S+)\n[^]*?Phase:\s+(\S+)/g)].map((m) => [
      m[1]!.replace(/-[a-z0-9]{5}$/, ""),
      m[2],
    ]);
    expect(suites.sort()).toEqual([
      ["shop-podinfo-grpc-test", "Succeeded"],
      ["shop-podinfo-jwt-test", "Succeeded"],
      ["shop-podinfo-service-test", "Succeeded"],
    ]);
    await eventually("the test Pods deleted once they succeeded (hook-delete-policy)", async () => {
      const left = await Promise.all(
        MEMBERS.map(async (m) =>
          (await kubectl(m, ["get", "pods", "-n", ns, "-o", "name"])).stdout.split("\n").filter((l) => l.includes("-test-")),
        ),
      );
      return left.flat().length === 0 ? true : undefined;
    });

    // Four replicas (the autoscaler is not running here), then the upgrade is judged on every watch
    // event: maxUnavailable 1 and the default 25% surge, fleet-wide.
    await ok("fleet", ["scale", "deployment/shop-podinfo", "-n", ns, "--replicas=4"]);
    await ok("fleet", ["rollout", "status", "deployment/shop-podinfo", "-n", ns, "--timeout=120s"]);
    const bounds = await watchFleetBounds(MEMBERS, ns, "shop-podinfo", "app.kubernetes.io/name=shop-podinfo");
    const upgrade = await runHelm(
      ["upgrade", "shop", chart, "-n", ns, "--wait", "--timeout=3m", "--set", "image.tag=6.9.0", ...values],
      fleet,
    );
    expect([upgrade.code, upgrade.stderr]).toEqual([0, ""]);
    await ok("fleet", ["rollout", "status", "deployment/shop-podinfo", "-n", ns, "--timeout=120s"]);
    const seen = await bounds.stop();
    expect(seen.changes).toBeGreaterThan(4);
    expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(5);
    expect(seen.minReady).toBeGreaterThanOrEqual(3);
    expect(
      await ok("fleet", ["get", "deployment", "shop-podinfo", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]),
    ).toContain(":6.9.0");

    const uninstall = await runHelm(["uninstall", "shop", "-n", ns, "--wait", "--timeout=3m"], fleet);
    expect(uninstall.code).toBe(0);
    await eventually(
      "nothing of the release left on the host or in any member",
      async () => {
        const left = await Promise.all(
          (["host", ...MEMBERS] as const).map(async (role: ClusterRole) =>
            (await kubectl(role, ["get", "deployments,services,configmaps,serviceaccounts,secrets", "-n", ns, "-o", "name"])).stdout
              .split("\n")
              .filter((l) => l.includes("/shop-") || l.includes("sh.helm.release")),
          ),
        );
        return left.every((l) => l.length === 0) ? true : undefined;
      },
      90_000,
    );
  });

  it("a StatefulSet through the fleet is a FederatedStatefulSet: one object, a StatefulSet's status, rollout status waits for it", async () => {
    const sts = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: ns },
      spec: {
        replicas: 3,
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: testImage(1) }] } },
      },
    };
    expect(await ok("fleet", ["apply", "-f", "-"], JSON.stringify(sts))).toContain("statefulset.apps/db created");
    expect(await ok("host", ["get", "federatedstatefulset", "db", "-n", ns, "-o", "jsonpath={.spec.replicas}"])).toBe("3");
    await ok("fleet", ["rollout", "status", "statefulset/db", "-n", ns, "--timeout=120s"]);
    expect((await ok("fleet", ["get", "statefulsets", "-n", ns, "-o", "name"])).trim()).toBe("statefulset.apps/db");
    expect((await ok("fleet", ["get", "statefulset", "db", "-n", ns, "--no-headers"])).trim().split(/\s+/).slice(0, 2)).toEqual([
      "db",
      "3/3",
    ]);
    const status = JSON.parse(await ok("fleet", ["get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.status}"])) as Record<
      string,
      unknown
    >;
    expect(status.currentRevision).toBe(status.updateRevision);
    await ok("fleet", ["delete", "statefulset", "db", "-n", ns]);
    await eventually("db gone from the host", async () =>
      (await kubectl("host", ["get", "federatedstatefulset", "db", "-n", ns])).code !== 0 ? true : undefined,
    );
  });

  it("a FederatedDeployment made on the host is a Deployment through the fleet, and editing either edits the workload", async () => {
    const fd = {
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedDeployment",
      metadata: { name: "api", namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "api" } },
        template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "app", image: testImage(1) }] } },
        placement: { clusterNames: ["idc-2"] },
      },
    };
    await ok("host", ["apply", "-f", "-"], JSON.stringify(fd));
    await ok("fleet", ["rollout", "status", "deployment/api", "-n", ns, "--timeout=120s"]);
    // Its placement, which a Deployment has no field for, shows as an annotation and edits as one.
    expect(
      await ok("fleet", ["get", "deployment", "api", "-n", ns, "-o", `jsonpath={.metadata.annotations.spillway\\.dev/placement}`]),
    ).toBe('{"clusterNames":["idc-2"]}');
    await ok("fleet", ["label", "deployment", "api", "-n", ns, "team=payments"]);
    expect(await ok("host", ["get", "federateddeployment", "api", "-n", ns, "-o", "jsonpath={.metadata.labels.team}"])).toBe("payments");
    await ok("fleet", ["delete", "deployment", "api", "-n", ns]);
    await eventually("the FederatedDeployment and its member Deployment are gone", async () => {
      const host = await kubectl("host", ["get", "federateddeployment", "api", "-n", ns]);
      const member = await kubectl("idc-2", ["get", "deployment", "api", "-n", ns]);
      return host.code !== 0 && member.code !== 0 ? true : undefined;
    });
  });

  it.each([
    [
      "a DaemonSet",
      {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "agent" },
        spec: {
          selector: { matchLabels: { app: "agent" } },
          template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "a", image: testImage(1) }] } },
        },
      },
      "create it in each member that needs it",
      "daemonset",
    ],
    [
      "a Job",
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "once" },
        spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "a", image: testImage(1) }] } } },
      },
      "create the Job in the member cluster it should run in",
      "job",
    ],
    [
      "a bare Pod",
      { apiVersion: "v1", kind: "Pod", metadata: { name: "loose" }, spec: { containers: [{ name: "a", image: testImage(1) }] } },
      "create a Deployment or StatefulSet through the fleet",
      "pod",
    ],
    [
      "a Deployment pinned to a node",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "pinned" },
        spec: {
          selector: { matchLabels: { app: "p" } },
          template: { metadata: { labels: { app: "p" } }, spec: { nodeName: "node-1", containers: [{ name: "a", image: testImage(1) }] } },
        },
      },
      "remove it (use a nodeSelector or affinity",
      "deployment",
    ],
  ])("refuses %s at once, saying what to do instead, and leaves nothing anywhere", async (_what, object, message, kind) => {
    const r = await kubectl("fleet", ["apply", "-n", ns, "-f", "-"], JSON.stringify(object));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    for (const role of ["host", ...MEMBERS] as const) {
      const left = await kubectl(role, ["get", kind, object.metadata.name, "-n", ns]);
      expect([role, left.code]).toEqual([role, 1]);
    }
  });

  it("server-side apply through the fleet keeps field ownership: a field left out is removed, another manager's change conflicts", async () => {
    const deployment = (env: Array<{ name: string; value: string }>, image = testImage(1)) =>
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ssa", namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "ssa" } },
          template: { metadata: { labels: { app: "ssa" } }, spec: { containers: [{ name: "app", image, env }] } },
        },
      });
    const env = async () =>
      (await ok("fleet", ["get", "deployment", "ssa", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}"])).trim();
    await ok(
      "fleet",
      ["apply", "--server-side", "-f", "-"],
      deployment([
        { name: "A", value: "1" },
        { name: "B", value: "2" },
      ]),
    );
    expect(await env()).toBe("A B");
    // B is no longer in the applied configuration: the manager owned it, so it goes.
    await ok("fleet", ["apply", "--server-side", "-f", "-"], deployment([{ name: "A", value: "1" }]));
    expect(await env()).toBe("A");
    expect(
      await ok("host", ["get", "federateddeployment", "ssa", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}"]),
    ).toBe("A");
    // Another manager setting a field kubectl owns to another value conflicts, as in one cluster.
    const other = await kubectl(
      "fleet",
      ["apply", "--server-side", "--field-manager=someone-else", "-f", "-"],
      deployment([{ name: "A", value: "1" }], testImage(2)),
    );
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/conflict with "kubectl"/);
    expect(other.stderr).toContain('.spec.template.spec.containers[name="app"].image');
    await ok("fleet", ["delete", "deployment", "ssa", "-n", ns]);
  });

  it("samples/native-app.yaml applies unchanged through the fleet: its Deployment rolls out, its HPA is the fleet's, its objects follow", async () => {
    const sample = join(repoRoot, "samples", "native-app.yaml");
    const sns = "storefront";
    try {
      const applied = await ok("fleet", ["apply", "-f", sample]);
      expect(applied).toMatch(/deployment.apps\/storefront (created|unchanged|configured)/);
      expect(applied).toMatch(/horizontalpodautoscaler.autoscaling\/storefront (created|unchanged|configured)/);
      await ok("fleet", ["rollout", "status", "deployment/storefront", "-n", sns, "--timeout=120s"]);
      expect(await ok("host", ["get", "federatedhpa", "storefront", "-n", sns, "-o", "jsonpath={.spec.maxReplicas}"])).toBe("40");
      let running = 0;
      for (const m of MEMBERS) {
        const r = await kubectl(m, ["get", "deployment", "storefront", "-n", sns, "-o", "jsonpath={.spec.replicas}"]);
        if (r.code !== 0 || Number(r.stdout) === 0) continue;
        running++;
        await eventually(`${m} holds the ConfigMap and ServiceAccount`, async () => {
          const objects = await kubectl(m, ["get", "configmap/storefront-config", "serviceaccount/storefront", "-n", sns, "-o", "name"]);
          return objects.code === 0 ? true : undefined;
        });
      }
      expect(running).toBeGreaterThan(0);
    } finally {
      await kubectl("fleet", [
        "delete",
        "deployment,hpa,service,configmap,serviceaccount",
        "storefront",
        "storefront-config",
        "-n",
        sns,
        "--ignore-not-found",
        "--wait=false",
      ]);
    }
  });

  it("kubectl delete of the manifest through the fleet removes the workload everywhere", async () => {
    await ok("fleet", ["delete", "-f", "-"], manifest(3));
    await eventually(
      "web gone from the host and every member",
      async () => {
        const left = await Promise.all(
          (["host", ...MEMBERS] as const).flatMap((role: ClusterRole) =>
            [role === "host" ? "federateddeployments" : "deployments", "configmap/web-config"].map(async (what) =>
              (await kubectl(role, ["get", what, "-n", ns, "-o", "name", "--ignore-not-found"])).stdout.trim(),
            ),
          ),
        );
        return left.every((l) => l === "") ? true : undefined;
      },
      90_000,
    );
  });
});
