/**
 * `kubectl spillway join MEMBER_CONTEXT` and `unjoin MEMBER_CONTEXT`: register a cluster of your
 * kubeconfig as a member with least privilege, or take it out. In the member: a namespace, a
 * ServiceAccount, the ClusterRole of what Spillway uses there (@spillway/api member-access.ts) and
 * its binding, and a token for it; on the host: the kubeconfig Secret holding that token and the
 * MemberCluster naming it. Idempotent (server-side apply): joining again updates in place.
 */
import { readFileSync } from "node:fs";
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import {
  GROUP,
  MEMBER_NAMESPACE,
  MEMBER_ROLE,
  MEMBER_SERVICE_ACCOUNT,
  MEMBER_TOKEN_SECRET,
  memberObjects,
  VERSION,
  type MemberCluster,
} from "@spillway/api";
import { stringify } from "yaml";
import { connect, type CliOptions } from "../cli-options.ts";
import { isNotFound } from "../kube-errors.ts";
import type { Io } from "./output.ts";

const FIELD_MANAGER = "kubectl-spillway";
const TOKEN_TIMEOUT_MS = 30_000;

export interface JoinOptions {
  /** The MemberCluster's name (default: the member context's name). */
  name?: string;
  tier?: string;
  priority?: number;
  region?: string;
  /** The member's API address as the host's pods reach it, when not the kubeconfig's. */
  server?: string;
  /** The host namespace of the kubeconfig Secret: the release namespace (the services read Secrets nowhere else). */
  secretNamespace: string;
  dryRun: boolean;
}

/** As kubectl names what it applied: `clusterrole.rbac.authorization.k8s.io/spillway:member`. */
const kindName = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) => {
  const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
  return `${o.kind.toLowerCase()}${group}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
};

/** Server-side apply, one object after the other (a namespace before what goes in it). */
async function apply(kc: KubeConfig, objects: object[]): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const o of objects)
    applied.push(await api.patch(o as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  return applied;
}

/** The member's API address and CA, as the member context of the kubeconfig names them. */
function memberEndpoint(member: KubeConfig, o: JoinOptions): { server: string; caData?: string; insecure: boolean } {
  const cluster = member.getCurrentCluster();
  if (!cluster) throw new Error(`context ${member.getCurrentContext()} names no cluster`);
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : undefined);
  return { server: o.server ?? cluster.server, caData, insecure: cluster.skipTLSVerify };
}

function kubeconfigFor(name: string, endpoint: ReturnType<typeof memberEndpoint>, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: endpoint.server,
          ...(endpoint.caData ? { "certificate-authority-data": endpoint.caData } : {}),
          ...(endpoint.insecure ? { "insecure-skip-tls-verify": true } : {}),
        },
      },
    ],
    users: [{ name: `${MEMBER_NAMESPACE}:${MEMBER_SERVICE_ACCOUNT}`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${MEMBER_NAMESPACE}:${MEMBER_SERVICE_ACCOUNT}` } }],
    "current-context": name,
  });
}

function hostObjects(name: string, o: JoinOptions, kubeconfig: string): object[] {
  const secretName = `${name}-kubeconfig`;
  const member: MemberCluster = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "MemberCluster",
    metadata: {
      name,
      labels: { "spillway.dev/tier": o.tier!, ...(o.region ? { "topology.kubernetes.io/region": o.region } : {}) },
    },
    spec: {
      tier: o.tier as "idc" | "cloud",
      // The CRD's own default when none is given.
      priority: o.priority ?? 100,
      ...(o.region ? { region: o.region } : {}),
      kubeconfigSecretRef: { namespace: o.secretNamespace, name: secretName, key: "kubeconfig" },
    },
  };
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: secretName, namespace: o.secretNamespace, labels: { "spillway.dev/cluster": name } },
      stringData: { kubeconfig },
    },
    member,
  ];
}

/** The token the member's token controller writes into the Secret join made. */
async function tokenOf(member: KubeConfig, context: string): Promise<string> {
  const api = KubernetesObjectApi.makeApiClient(member);
  const deadline = Date.now() + TOKEN_TIMEOUT_MS;
  for (;;) {
    const secret = (await api.read({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: MEMBER_TOKEN_SECRET, namespace: MEMBER_NAMESPACE },
    })) as KubernetesObject & { data?: Record<string, string> };
    if (secret.data?.["token"]) return Buffer.from(secret.data["token"], "base64").toString("utf8");
    if (Date.now() > deadline)
      throw new Error(
        `Secret ${MEMBER_NAMESPACE}/${MEMBER_TOKEN_SECRET} in ${context} got no token within ${TOKEN_TIMEOUT_MS / 1000}s: is the member's controller-manager running its service-account token controller?`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function join(o: CliOptions, args: string[], j: JoinOptions, io: Io): Promise<number> {
  const memberContext = args[0];
  if (!memberContext || args.length > 1) throw new Error("join takes exactly one kubeconfig context: the member's");
  if (j.tier !== "idc" && j.tier !== "cloud") throw new Error(`--tier must be idc or cloud, got ${JSON.stringify(j.tier ?? "")}`);
  const name = j.name ?? memberContext;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    throw new Error(`the member's name ${JSON.stringify(name)} is not a DNS label: pass --name`);
  const member = connect({ ...o, context: memberContext }).kc;
  const endpoint = memberEndpoint(member, j);
  if (j.dryRun) {
    const objects = [...memberObjects(), ...hostObjects(name, j, kubeconfigFor(name, endpoint, "<the token of the ServiceAccount>"))];
    io.out(objects.map((x) => stringify(x)).join("---\n"));
    return 0;
  }
  const host = connect(o).kc;
  const made = await apply(member, memberObjects());
  const token = await tokenOf(member, memberContext);
  const registered = await apply(host, hostObjects(name, j, kubeconfigFor(name, endpoint, token)));
  const names = (xs: KubernetesObject[]) => xs.map((x) => kindName(x as Parameters<typeof kindName>[0])).join(", ");
  io.out(`${memberContext}: ${names(made)} applied\n`);
  io.out(`host: ${names(registered)} applied\n`);
  io.out(
    `membercluster.spillway.dev/${name} joined: Spillway acts in ${memberContext} as system:serviceaccount:${MEMBER_NAMESPACE}:${MEMBER_SERVICE_ACCOUNT} (ClusterRole ${MEMBER_ROLE}), at ${endpoint.server}\n`,
  );
  return 0;
}

/** Deletes one object, saying what became of it; a missing one is no error. */
async function remove(kc: KubeConfig, where: string, o: object, io: Io): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  try {
    await api.delete(o as KubernetesObject, undefined, undefined, undefined, undefined, "Background");
    io.out(`${where}: ${kindName(o as Parameters<typeof kindName>[0])} deleted\n`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export async function unjoin(o: CliOptions, args: string[], j: Pick<JoinOptions, "name" | "secretNamespace">, io: Io): Promise<number> {
  const memberContext = args[0];
  if (!memberContext || args.length > 1) throw new Error("unjoin takes exactly one kubeconfig context: the member's");
  const name = j.name ?? memberContext;
  const host = connect(o).kc;
  const api = KubernetesObjectApi.makeApiClient(host);
  // The Secret the MemberCluster names, wherever it is; the conventional one when it is gone already.
  let secretRef = { namespace: j.secretNamespace, name: `${name}-kubeconfig` };
  try {
    const mc = (await api.read({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "MemberCluster",
      metadata: { name },
    })) as unknown as MemberCluster;
    secretRef = mc.spec.kubeconfigSecretRef;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  // The host first: the services stop using the member before its identity goes.
  await remove(host, "host", { apiVersion: `${GROUP}/${VERSION}`, kind: "MemberCluster", metadata: { name } }, io);
  await remove(host, "host", { apiVersion: "v1", kind: "Secret", metadata: secretRef }, io);
  const member = connect({ ...o, context: memberContext }).kc;
  const [namespace, , role, binding] = memberObjects();
  for (const x of [binding!, role!, namespace!]) await remove(member, memberContext, x, io);
  io.out(`membercluster.spillway.dev/${name} unjoined\n`);
  return 0;
}
