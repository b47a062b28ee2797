/** The plugin's command line, where no cluster is needed: help, durations, refusals naming the fix. */
import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { complete } from "./core/completion.ts";
import { normalizeWatch, parseDuration, run } from "./main.ts";
import { VERSION } from "./version.ts";

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
};

/** A kubeconfig with one member context, for what `join --dry-run` reads (it writes nothing, asks no server). */
function memberKubeconfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "join-"));
  const file = join(dir, "kubeconfig");
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "edge", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": Buffer.from("CA").toString("base64") } },
      ],
      users: [{ name: "admin", user: { token: "admin-token" } }],
      contexts: [
        { name: "edge-1", context: { cluster: "edge", user: "admin" } },
        { name: "host", context: { cluster: "edge", user: "admin" } },
      ],
      "current-context": "host",
    }),
  );
  return file;
}

describe("kubectl spillway", () => {
  it("join --dry-run prints what it makes in the member and on the host, the admin's token in neither", async () => {
    const c = capture();
    const argv = ["join", "edge-1", `--kubeconfig=${memberKubeconfig()}`, "--tier=cloud", "--priority=30", "--region=eu-1"];
    expect(await run([...argv, "--server=https://10.0.0.7:6443", "--dry-run=client"], c.io, {})).toBe(0);
    const docs = parseAllDocuments(c.out.join("")).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; [k: string]: unknown },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "Namespace/spillway-member",
      "ServiceAccount/spillway",
      "ClusterRole/spillway:member",
      "ClusterRoleBinding/spillway:member",
      "Secret/spillway-token",
      "Secret/edge-1-kubeconfig",
      "MemberCluster/edge-1",
    ]);
    const role = docs[2] as unknown as { rules: Array<{ resources: string[]; verbs: string[] }> };
    // Nothing beyond the rules the services need: no wildcard verb, no RBAC, no node writes.
    expect(role.rules.flatMap((r) => r.verbs)).not.toContain("*");
    expect(role.rules.flatMap((r) => r.resources).filter((r) => /roles|rolebindings/.test(r))).toEqual([]);
    expect(role.rules.filter((r) => r.resources.includes("nodes")).flatMap((r) => r.verbs)).toEqual(["list", "watch"]);
    const secret = docs[5] as unknown as { metadata: { namespace: string }; stringData: { kubeconfig: string } };
    expect(secret.metadata.namespace).toBe("spillway-system");
    expect(secret.stringData.kubeconfig).toContain("server: https://10.0.0.7:6443");
    expect(secret.stringData.kubeconfig).not.toContain("admin-token");
    expect(docs[6]).toMatchObject({
      spec: {
        tier: "cloud",
        priority: 30,
        region: "eu-1",
        kubeconfigSecretRef: { namespace: "spillway-system", name: "edge-1-kubeconfig" },
      },
    });
  });

  it("prints its commands for --help and exits 0, and 1 when given none", async () => {
    const c = capture();
    expect(await run(["--help"], c.io)).toBe(0);
    for (const cmd of [
      "clusters",
      "placement KIND/NAME",
      "rollout status KIND/NAME",
      "simulate -f FILE",
      "join MEMBER_CONTEXT --tier T",
      "unjoin MEMBER_CONTEXT",
      "fence CLUSTER",
      "unfence CLUSTER",
    ])
      expect(c.out.join("")).toContain(cmd);
    expect(await run([], capture().io)).toBe(1);
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate" for "kubectl spillway"/],
    [["rollout", "undo", "fdeploy/web"], /only "rollout status" exists/],
    [["clusters", "--bogus"], /Unknown option '--bogus'/],
    [["rollout", "status", "fdeploy/web", "--timeout=soon"], /invalid --timeout "soon"/],
    [["simulate", "--replicas=-2"], /--replicas must be a non-negative integer/],
    [["join"], /join takes exactly one kubeconfig context: the member's/],
    [["join", "idc-1", "--tier=edge"], /--tier must be idc or cloud, got "edge"/],
    [["join", "idc-1", "--tier=idc", "--priority=high"], /--priority must be a non-negative integer/],
    [["join", "Idc_1", "--tier=idc"], /the member's name "Idc_1" is not a DNS label: pass --name/],
    [["unjoin"], /unjoin takes exactly one kubeconfig context: the member's/],
  ])("refuses %j saying why", async (argv, message) => {
    await expect(run(argv, capture().io, {})).rejects.toThrow(message);
  });

  it.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
  ])("reads --timeout %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [["rollout", "status", "-w", "fdeploy/web"], ["rollout", "status", "-w", "fdeploy/web"], true],
    [["rollout", "status", "fdeploy/web", "--watch=false"], ["rollout", "status", "fdeploy/web"], false],
    [["rollout", "status", "-w=false", "fdeploy/web"], ["rollout", "status", "fdeploy/web"], false],
    [["rollout", "status", "--watch=true", "fdeploy/web"], ["rollout", "status", "fdeploy/web"], true],
  ])("reads %j as kubectl does: -w is a flag, --watch=false turns it off", (argv, args, watch) => {
    expect(normalizeWatch(argv)).toEqual({ args, watch });
  });

  it("prints its version, the package's", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const c = capture();
    expect(await run(["version"], c.io, {})).toBe(0);
    expect(c.out.join("")).toBe(`kubectl-spillway v${pkg.version}\n`);
  });

  it.each([
    [[""], ["clusters", "placement", "rollout", "simulate", "join", "unjoin", "fence", "unfence", "version", "help", ":4"]],
    [["pl"], ["placement", ":4"]],
    [
      ["rollout", ""],
      ["status", ":4"],
    ],
    [
      ["placement", "fs"],
      ["fsts/", ":4"],
    ],
    [["placement", "fdeploy/w"], [":4"]],
    [
      ["placement", "-o", ""],
      ["json", "yaml", "name", "wide", ":4"],
    ],
    [["simulate", "-f", ""], [":0"]],
    [
      ["clusters", "--no"],
      ["--no-headers", ":4"],
    ],
    [
      ["fence", "c"],
      ["cloud-1", ":4"],
    ],
  ])("completes %j", (words, expected) => {
    expect(
      complete(words, { clusters: ["idc-1", "cloud-1"] })
        .trim()
        .split("\n"),
    ).toEqual(expected);
  });
});
