/**
 * Joining a member with least privilege: the testbed joins every member with `kubectl spillway
 * join` (so every other suite runs the services with exactly these rights), and here each
 * member's grant is compared with e2e/src/member-rbac-allowlist.yaml, the member refuses the
 * joined credential what that list does not name, and `join` then `unjoin` of a cluster (the host,
 * used as a member of its own) makes and removes everything, on both sides.
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { CoreV1Api } from "@kubernetes/client-node";
import { MEMBER_NAMESPACE, MEMBER_SERVICE_ACCOUNT } from "@spillway/api";
import { runCommand, runKubectl, SYSTEM_NAMESPACE } from "@spillway/testbed";
import { parse } from "yaml";
import { parseCanIList } from "./can-i.ts";
import { contextOf, e2eKubeconfig, kubeConfigFor, kubectlBin, repoRoot, type ClusterRole } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS } from "./rollout-services.ts";

const SPILLWAY = `system:serviceaccount:${MEMBER_NAMESPACE}:${MEMBER_SERVICE_ACCOUNT}`;
const allowlist = parse(readFileSync(join(repoRoot, "e2e", "src", "member-rbac-allowlist.yaml"), "utf8")) as string[];

async function rightsOf(member: ClusterRole, user: string, namespace: string): Promise<Set<string>> {
  const r = await kubectl(member, ["auth", "can-i", "--list", `--as=${user}`, "-n", namespace, "--no-headers"]);
  if (r.code !== 0) throw new Error(`can-i --list as ${user} in ${member}: ${r.stderr}`);
  return parseCanIList(r.stdout);
}

/** The kubeconfig the services use for `member`: what `join` put in the host's Secret. */
async function joinedKubeconfig(member: string): Promise<string> {
  const secret = await kubeConfigFor("host")
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace: SYSTEM_NAMESPACE, name: `${member}-kubeconfig` });
  const file = join(mkdtempSync(join(tmpdir(), "joined-")), "kubeconfig");
  writeFileSync(file, Buffer.from(secret.data!["kubeconfig"]!, "base64"), { mode: 0o600 });
  return file;
}

const plugin = (args: string[]) =>
  runCommand(kubectlBin, ["spillway", ...args, `--kubeconfig=${e2eKubeconfig}`], {
    env: {
      ...process.env,
      PATH: `${join(repoRoot, "packages", "kubectl-spillway", "bin")}:${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
    },
  });

describe("members joined with least privilege", () => {
  const other = uniqueName("e2e-member-rbac");
  afterAll(async () => {
    for (const m of MEMBERS) await deleteNamespace(m, other);
  });

  it.each(MEMBERS.map((m) => [m]))("%s grants Spillway exactly what the member allowlist says", async (member) => {
    await createNamespace(member, other);
    // What every authenticated user may do (discovery, self reviews) is not join's to grant.
    const everyone = await rightsOf(member, `system:serviceaccount:${other}:default`, other);
    const granted = [...(await rightsOf(member, SPILLWAY, other))].filter((x) => !everyone.has(x)).sort();
    expect(granted).toEqual([...allowlist].sort());
  });

  it("the member refuses the joined credential what the allowlist does not name", async () => {
    const kubeconfig = await joinedKubeconfig("idc-1");
    const as = (args: string[]) => runKubectl({ kubeconfig, context: "idc-1", bin: kubectlBin }, args);
    // What it does hold works: the gateway's view of nodes.
    expect((await as(["get", "nodes", "-o", "name"])).stdout).toContain("node/");
    const node = (await as(["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    const refusals: Array<[string[], string]> = [
      [["delete", "node", node], `cannot delete resource "nodes"`],
      [
        ["create", "clusterrolebinding", uniqueName("nope"), "--clusterrole=cluster-admin", "--user=x"],
        `cannot create resource "clusterrolebindings"`,
      ],
      [["delete", "namespace", "kube-public"], `cannot delete resource "namespaces"`],
      [["create", "token", "default", "-n", "kube-system"], `cannot create resource "serviceaccounts/token"`],
      [["get", "roles", "-A"], `cannot list resource "roles"`],
    ];
    for (const [args, message] of refusals) {
      const r = await as(args);
      expect({ args, code: r.code, forbidden: /forbidden/i.test(r.stderr) }).toEqual({ args, code: 1, forbidden: true });
      expect(r.stderr).toContain(message);
    }
  });

  it("join makes the identity, the Secret and the MemberCluster; unjoin removes all of them", async () => {
    const name = uniqueName("e2e-self");
    const host = contextOf("host");
    // The host as a member of its own: nothing any other scenario uses is touched, and it
    // runs a token controller as every cluster does.
    const joined = await plugin(["join", host, `--context=${host}`, `--name=${name}`, "--tier=cloud", "--priority=500"]);
    expect(joined.stderr).toBe("");
    expect(joined.code).toBe(0);
    expect(joined.stdout).toContain(`membercluster.spillway.dev/${name} joined: Spillway acts in ${host} as ${SPILLWAY}`);
    try {
      const member = await kubectl("host", ["get", "membercluster", name, "-o", "jsonpath={.spec}"]);
      expect(JSON.parse(member.stdout)).toMatchObject({
        tier: "cloud",
        priority: 500,
        kubeconfigSecretRef: { namespace: SYSTEM_NAMESPACE, name: `${name}-kubeconfig`, key: "kubeconfig" },
      });
      // The Secret's kubeconfig is the ServiceAccount's: whoami says so.
      const kubeconfig = await joinedKubeconfig(name);
      const whoami = await runKubectl({ kubeconfig, context: name, bin: kubectlBin }, [
        "auth",
        "whoami",
        "-o",
        "jsonpath={.status.userInfo.username}",
      ]);
      expect(whoami.stdout).toBe(SPILLWAY);
      // Joining again changes nothing and fails nothing (server-side apply).
      expect((await plugin(["join", host, `--context=${host}`, `--name=${name}`, "--tier=cloud", "--priority=500"])).code).toBe(0);
    } finally {
      const r = await plugin(["unjoin", host, `--context=${host}`, `--name=${name}`]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const gone = async (args: string[]) => (await kubectl("host", ["get", ...args, "-o", "name", "--ignore-not-found"])).stdout.trim();
    expect(await gone(["membercluster", name])).toBe("");
    expect(await gone(["secret", `${name}-kubeconfig`, "-n", SYSTEM_NAMESPACE])).toBe("");
    expect(await gone(["clusterrolebinding,clusterrole", "spillway:member"])).toBe("");
    await eventually(
      `namespace ${MEMBER_NAMESPACE} gone from the host`,
      async () => ((await gone(["namespace", MEMBER_NAMESPACE])) === "" ? true : undefined),
      60_000,
      500,
    );
  });
});
