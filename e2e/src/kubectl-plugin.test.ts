/**
 * `kubectl spillway`, found by the real kubectl's plugin discovery on PATH, against the testbed
 * with cluster-gateway, the scheduler and fleet-root running: clusters, placement, a live rollout
 * status that exits when (and only when) the fleet has rolled out, a timeout, simulate through the
 * scheduler's Scheduler.Simulate, and fence/unfence.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { bin, runCommand } from "@spillway/testbed";
import { GROUP, VERSION, type FederatedDeployment, type MemberCluster, type Placement } from "@spillway/api";
import { contextOf, e2eKubeconfig, kubeConfigFor, kubectlBin, repoRoot, testImage } from "./env.ts";
import { federatedDeployment, setImage } from "./federated-workloads.ts";
import { eventually } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS, rolloutServices } from "./rollout-services.ts";

const env = rolloutServices("plugin", []);
const pluginDir = join(repoRoot, "packages", "kubectl-spillway", "bin");
const api = kubeConfigFor("host").makeApiClient(CustomObjectsApi);

const withPlugin = (path: string) => ({ ...process.env, PATH: `${pluginDir}:${dirname(process.execPath)}:${path}` });

/** `kubectl spillway ARGS` as a user types it: kubectl finds the plugin on PATH (the pinned Node first, as after `make setup`). */
const kubectlSpillway = (args: string[]) =>
  runCommand(kubectlBin, ["spillway", ...args, "--kubeconfig", e2eKubeconfig, "--context", contextOf("host")], {
    env: withPlugin(process.env["PATH"] ?? ""),
  });

const rows = (table: string) =>
  table
    .trim()
    .split("\n")
    .map((l) => l.split(/\s{3,}/));

describe("kubectl spillway (the kubectl plugin)", () => {
  it("is discovered by kubectl plugin list", async () => {
    const r = await runCommand(kubectlBin, ["plugin", "list"], { env: withPlugin("/usr/bin:/bin") });
    expect(r.stdout).toContain(join(pluginDir, "kubectl-spillway"));
  });

  it("clusters: every member, IDC first, with Ready and free/total resources", async () => {
    const r = await kubectlSpillway(["clusters"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [header, ...body] = rows(r.stdout);
    expect(header).toEqual([
      "NAME",
      "TIER",
      "PRIORITY",
      "READY",
      "CPU FREE/TOTAL",
      "MEMORY FREE/TOTAL",
      "GPU FREE/TOTAL",
      "NODES",
      "FENCED",
    ]);
    expect(body.map((b) => [b[0], b[1], b[3]])).toEqual([
      ["idc-1", "idc", "True"],
      ["idc-2", "idc", "True"],
      ["cloud-1", "cloud", "True"],
    ]);
    const members = (
      (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "memberclusters" })) as { items: MemberCluster[] }
    ).items;
    for (const b of body) {
      const m = members.find((x) => x.metadata.name === b[0])!;
      expect(b[4]!.split("/")[1]).toBe(String(m.status!.allocatable!["cpu"]));
      expect(b[7]).toBe(String(m.status!.nodeCount));
    }
    // -o jsonpath prints what kubectl's own prints for the same template over the same objects.
    const template = '--output=jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.tier}{"\\n"}{end}names: {.items[*].metadata.name}';
    const ours = await kubectlSpillway(["clusters", template]);
    const theirs = await kubectl("host", ["get", "memberclusters", template]);
    expect(ours).toMatchObject({ code: 0, stderr: "" });
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain("idc-1\tidc\n");
    const json = await kubectlSpillway(["clusters", "-o", "json"]);
    expect((JSON.parse(json.stdout) as { items: MemberCluster[] }).items.map((m) => m.metadata.name).sort()).toEqual([...MEMBERS].sort());
  });

  it("placement: where the replicas are and why, as the Placement says", async () => {
    await env.fds.create(federatedDeployment({ namespace: env.ns, name: "web", replicas: 6, requests: { cpu: "1" } }));
    const p = await eventually(
      "web placed",
      async () => {
        const x = (await api
          .getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: env.ns,
            plural: "placements",
            name: "federateddeployment-web",
          })
          .catch(() => undefined)) as Placement | undefined;
        return x?.status?.phase === "Scheduled" ? x : undefined;
      },
      60_000,
    );
    const r = await kubectlSpillway(["placement", "fdeploy/web", "-n", env.ns]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [summary, ...table] = r.stdout.trim().split("\n");
    expect(summary).toBe(
      `FederatedDeployment ${env.ns}/web: 6 replicas placed in ${p.spec.clusters.filter((c) => c.replicas > 0).length} clusters (Scheduled)`,
    );
    expect(
      rows(table.join("\n"))
        .slice(1)
        .map((x) => [x[0], Number(x[2])]),
    ).toEqual(p.spec.clusters.map((c) => [c.name, c.replicas]));
    // kubectl's listing habits: -A with a NAMESPACE column, -o name, -o wide; -l on members.
    const all = await kubectlSpillway(["placement", "-A"]);
    expect(all.code).toBe(0);
    const [allHeader, ...allRows] = rows(all.stdout);
    expect(allHeader).toEqual(["NAMESPACE", "KIND", "WORKLOAD", "PLACED", "UNSCHEDULABLE", "CLUSTERS"]);
    expect(allRows.find((x) => x[0] === env.ns)?.slice(1, 5)).toEqual(["FederatedDeployment", "web", "6", "0"]);
    expect((await kubectlSpillway(["placement", "fdeploy/web", "-n", env.ns, "-o", "name"])).stdout).toBe(
      "placement.spillway.dev/federateddeployment-web\n",
    );
    expect(rows((await kubectlSpillway(["placement", "-n", env.ns, "-o", "wide"])).stdout)[0]).toEqual([
      "KIND",
      "WORKLOAD",
      "PLACED",
      "UNSCHEDULABLE",
      "CLUSTERS",
      "PHASE",
      "PLACEMENT",
    ]);
    expect((await kubectlSpillway(["clusters", "-l", "spillway.dev/tier=cloud", "-o", "name"])).stdout).toBe(
      "membercluster.spillway.dev/cloud-1\n",
    );
    const missing = await kubectlSpillway(["placement", "fdeploy/nope", "-n", env.ns]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: `Error from server (NotFound): federateddeployments.spillway.dev "nope" not found\n`,
    });
  });

  it("rollout status: follows the fleet-wide rollout member by member and exits 0 only once it has rolled out", async () => {
    // Each test's workloads are deleted after it (rolloutServices), so this one makes its own.
    await env.fds.create(federatedDeployment({ namespace: env.ns, name: "web", replicas: 6, requests: { cpu: "1" } }));
    await eventually(
      "web available",
      async () => ((await env.fds.get({ namespace: env.ns, name: "web" })).status?.availableReplicas === 6 ? true : undefined),
      90_000,
    );
    await setImage(env.fds, env.ns, "web", testImage(2));
    // -w before the workload, as with kubectl rollout status: a flag, not a flag with a value.
    const r = await kubectlSpillway(["rollout", "status", "-w", "fdeploy/web", "-n", env.ns, "--timeout=150s"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe('federateddeployment "web" successfully rolled out');
    expect(lines.some((l) => l.startsWith('Waiting for federateddeployment "web"'))).toBe(true);
    expect(lines.some((l) => /^ {2}idc-1: \d+\/\d+ updated, \d+ available/.test(l))).toBe(true);
    // It returned because the fleet had rolled out, not early.
    const done = (await env.fds.get({ namespace: env.ns, name: "web" })) as FederatedDeployment;
    expect(done.status).toMatchObject({ updatedReplicas: 6, availableReplicas: 6, replicas: 6 });
    expect(done.status!.observedGeneration).toBe(done.metadata.generation);
  });

  it("version, and completion through kubectl's own (kubectl __complete runs kubectl_complete-spillway)", async () => {
    expect(await kubectlSpillway(["version"])).toMatchObject({ code: 0, stdout: "kubectl-spillway v0.1.0\n" });
    // The word being completed comes last; kubectl's debug lines go to stderr.
    const complete = (words: string[]) =>
      runCommand(kubectlBin, ["__complete", "spillway", ...words], {
        env: { ...withPlugin(process.env["PATH"] ?? ""), KUBECONFIG: e2eKubeconfig },
      }).then((r) => r.stdout.trim().split("\n"));
    expect(await complete([""])).toEqual(expect.arrayContaining(["clusters", "placement", "rollout", "version", ":4"]));
    expect(await complete(["rollout", "status", "f"])).toEqual([
      "fdeploy/",
      "fsts/",
      "federateddeployment/",
      "federatedstatefulset/",
      ":4",
    ]);
    expect(await complete(["clusters", "-o", ""])).toEqual(["json", "yaml", "name", "wide", ":4"]);
  });

  it("runs from the repo whatever Node is first on PATH (an older one: the launcher takes the repo's pinned Node)", async () => {
    // Only the machine's own directories: on this machine /usr/bin/node is Node 20.
    const r = await runCommand(kubectlBin, ["spillway", "version"], { env: { ...process.env, PATH: `${pluginDir}:/usr/bin:/bin` } });
    expect(r).toMatchObject({ code: 0, stdout: "kubectl-spillway v0.1.0\n" });
  });

  it("installs without the repo: the single-file build through the real krew, from its manifest and archive", async () => {
    const built = await runCommand(process.execPath, [join(repoRoot, "packages", "kubectl-spillway", "scripts", "bundle.ts")]);
    expect(built.code).toBe(0);
    const dist = join(repoRoot, "packages", "kubectl-spillway", "dist");
    const krewRoot = mkdtempSync(join(tmpdir(), "spillway-krew-"));
    // Only krew's bin directory and a Node: nothing of the repo on PATH.
    const krewEnv = { ...process.env, KREW_ROOT: krewRoot, PATH: `${join(krewRoot, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin` };
    const installed = await runCommand(
      bin("krew"),
      ["install", `--manifest=${join(dist, "spillway.yaml")}`, `--archive=${join(dist, "kubectl-spillway.tar.gz")}`],
      { env: krewEnv },
    );
    expect({ code: installed.code, out: installed.stdout + installed.stderr }).toEqual({
      code: 0,
      out: expect.stringContaining("Installed plugin: spillway"),
    });
    const list = await runCommand(kubectlBin, ["plugin", "list"], { env: krewEnv });
    expect(list.stdout).toContain(join(krewRoot, "bin", "kubectl-spillway"));
    expect(await runCommand(kubectlBin, ["spillway", "version"], { env: krewEnv })).toMatchObject({
      code: 0,
      stdout: "kubectl-spillway v0.1.0\n",
    });
    const clusters = await runCommand(
      kubectlBin,
      ["spillway", "clusters", "-o", "name", "--kubeconfig", e2eKubeconfig, "--context", contextOf("host")],
      {
        env: krewEnv,
      },
    );
    expect(clusters.stdout.trim().split("\n").sort()).toEqual(MEMBERS.map((m) => `membercluster.spillway.dev/${m}`).sort());
  });

  it("rollout status: gives up at --timeout with kubectl's error and exit 1", async () => {
    await env.fds.create(federatedDeployment({ namespace: env.ns, name: "huge", replicas: 2, requests: { cpu: "1000" } }));
    const r = await kubectlSpillway(["rollout", "status", "fdeploy/huge", "-n", env.ns, "--timeout=3s"]);
    expect(r).toMatchObject({ code: 1, stderr: "error: timed out waiting for the condition\n" });
  });

  it("simulate -f: what the scheduler would do with a manifest, writing nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spillway-simulate-"));
    const file = join(dir, "what-if.yaml");
    const manifest = federatedDeployment({ namespace: env.ns, name: "what-if", replicas: 20, requests: { cpu: "4" } });
    writeFileSync(file, `# a manifest not applied\n${JSON.stringify(manifest)}\n`);
    const r = await kubectlSpillway(["simulate", "-f", file, `--scheduler-addr=${env.schedulerAddr()}`]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [summary, ...table] = r.stdout.trim().split("\n");
    expect(summary).toBe("FederatedDeployment/what-if: 20 replicas would be placed");
    const placed = rows(table.join("\n")).slice(1);
    expect(placed.reduce((n, x) => n + Number(x[1]), 0)).toBe(20);
    expect(placed[0]![0]).toMatch(/^idc-/);
    const nowhere = await kubectlSpillway([
      "simulate",
      "-f",
      file,
      `--scheduler-addr=${env.schedulerAddr()}`,
      "--replicas=500",
      "-o",
      "json",
    ]);
    const [result] = JSON.parse(nowhere.stdout) as Array<{ unschedulableReplicas: number; message: string }>;
    expect(result!.unschedulableReplicas).toBeGreaterThan(0);
    expect(result!.message).not.toBe("");
    const written = await api
      .getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: env.ns,
        plural: "placements",
        name: "federateddeployment-what-if",
      })
      .then(
        () => true,
        () => false,
      );
    expect(written).toBe(false);
  });

  it("fence and unfence: spec.fenced set and cleared, with a warning; an unknown member is NotFound", async () => {
    const fenced = async () =>
      ((await api.getClusterCustomObject({ group: GROUP, version: VERSION, plural: "memberclusters", name: "cloud-1" })) as MemberCluster)
        .spec.fenced;
    try {
      const f = await kubectlSpillway(["fence", "cloud-1"]);
      expect(f).toMatchObject({ code: 0, stdout: "membercluster.spillway.dev/cloud-1 fenced\n" });
      expect(f.stderr).toContain("warning: cloud-1 is declared gone for good");
      expect(await fenced()).toBe(true);
      const clusters = await kubectlSpillway(["clusters", "--no-headers"]);
      expect(
        rows(clusters.stdout)
          .find((x) => x[0] === "cloud-1")
          ?.at(-1),
      ).toBe("true");
      // cluster-gateway says so on the MemberCluster: a Fenced condition, and a warning Event.
      const described = await eventually("Fenced in kubectl describe", async () => {
        const r = await kubectl("host", ["describe", "membercluster", "cloud-1"]);
        return /Warning\s+Fenced\s/.test(r.stdout) ? r.stdout : undefined;
      });
      expect(described).toMatch(/Type:\s+Fenced/);
    } finally {
      const u = await kubectlSpillway(["unfence", "cloud-1"]);
      expect(u).toMatchObject({ code: 0, stdout: "membercluster.spillway.dev/cloud-1 unfenced\n", stderr: "" });
    }
    expect(await fenced()).toBeUndefined();
    await eventually("Unfenced in kubectl describe, the condition gone", async () => {
      const r = await kubectl("host", ["describe", "membercluster", "cloud-1"]);
      return /Normal\s+Unfenced\s/.test(r.stdout) && !/Type:\s+Fenced/.test(r.stdout) ? true : undefined;
    });
    const nope = await kubectlSpillway(["fence", "nowhere-1"]);
    expect(nope).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): memberclusters.spillway.dev "nowhere-1" not found\n' });
  });
});
