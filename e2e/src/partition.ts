/**
 * A network partition between Spillway and one member, with the member itself left running: its
 * kubeconfig Secret on host is pointed at a closed port, so every Spillway service that reads it
 * loses the member while the member's own controllers, scheduler and nodes carry on. Unlike
 * stopping the member's API server this works on any cluster (kind too) and leaves nothing in
 * the member to recover.
 */
import { CoreV1Api, type V1Secret } from "@kubernetes/client-node";
import { memberClusterKind, type MemberCluster } from "@spillway/api";
import { ResourceClient } from "@spillway/kit";
import { parse, stringify } from "yaml";
import { kubeConfigFor, type ClusterRole } from "./env.ts";

/** Nothing listens on port 1 of loopback: connections are refused at once. */
const NOWHERE = "https://127.0.0.1:1";

/** Cuts `member` off from Spillway; the returned function heals the partition. */
export async function partition(member: ClusterRole): Promise<() => Promise<void>> {
  const host = kubeConfigFor("host");
  const ref = (await new ResourceClient<MemberCluster>(host, memberClusterKind).get({ name: member })).spec.kubeconfigSecretRef;
  const key = ref.key ?? "kubeconfig";
  const core = host.makeApiClient(CoreV1Api);
  const at = { namespace: ref.namespace, name: ref.name };
  // Nothing else writes these Secrets during a test, so a plain read-modify-replace is enough.
  const replaceKubeconfig = (secret: V1Secret, data: string) =>
    core.replaceNamespacedSecret({ ...at, body: { ...secret, data: { ...secret.data, [key]: data } } });
  const secret = await core.readNamespacedSecret(at);
  const original = secret.data![key]!;
  const kubeconfig = parse(Buffer.from(original, "base64").toString("utf8")) as { clusters: Array<{ cluster: { server: string } }> };
  for (const c of kubeconfig.clusters) c.cluster.server = NOWHERE;
  await replaceKubeconfig(secret, Buffer.from(stringify(kubeconfig)).toString("base64"));
  return async () => {
    await replaceKubeconfig(await core.readNamespacedSecret(at), original);
  };
}
