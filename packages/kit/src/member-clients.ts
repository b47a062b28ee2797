/**
 * Clients for member clusters, built from the kubeconfig Secret each MemberCluster names and
 * rebuilt when the Secret's bytes change. For controllers that act on members (fleet-root,
 * stateful-orchestrator); the gateway keeps its own richer connections.
 */
import { createHash } from "node:crypto";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { isNotFound } from "./errors.ts";
import { KubeconfigInvalid, parseMemberKubeconfig } from "./member-kubeconfig.ts";

export interface MemberClient {
  name: string;
  kubeConfig: KubeConfig;
  fingerprint: string;
}

export class MemberClients {
  private readonly core: CoreV1Api;
  private readonly cache = new Map<string, MemberClient & { readAt: number; ref: string }>();
  private readonly maxAgeMs: number;

  /** The Secret is re-read at most every `maxAgeMs` per member (and whenever the reference changes). */
  constructor(hostKubeConfig: KubeConfig, maxAgeMs = 30_000) {
    this.core = hostKubeConfig.makeApiClient(CoreV1Api);
    this.maxAgeMs = maxAgeMs;
  }

  /**
   * The client for `member`, reading its Secret; `changed` is true when it was (re)built. Throws
   * KubeconfigInvalid (a problem the user must fix: no Secret, no key, no usable kubeconfig) or,
   * for transient read failures, an Error naming the Secret.
   */
  async get(member: MemberCluster): Promise<{ client: MemberClient; changed: boolean }> {
    const name = member.metadata.name!;
    const ref = member.spec.kubeconfigSecretRef;
    const source = `Secret ${ref.namespace}/${ref.name} key ${ref.key ?? "kubeconfig"} of member ${name}`;
    const cachedRecent = this.cache.get(name);
    if (cachedRecent && cachedRecent.ref === source && Date.now() - cachedRecent.readAt < this.maxAgeMs)
      return { client: cachedRecent, changed: false };
    let data: string | undefined;
    try {
      data = (await this.core.readNamespacedSecret({ namespace: ref.namespace, name: ref.name })).data?.[ref.key ?? "kubeconfig"];
    } catch (err) {
      if (isNotFound(err)) throw new KubeconfigInvalid(`${source}: the Secret does not exist`);
      throw new Error(`read ${source}`, { cause: err });
    }
    if (!data) throw new KubeconfigInvalid(`${source} does not exist in the Secret`);
    const text = Buffer.from(data, "base64").toString("utf8");
    const fingerprint = createHash("sha256").update(text).digest("hex");
    const cached = this.cache.get(name);
    if (cached?.fingerprint === fingerprint) {
      cached.readAt = Date.now();
      return { client: cached, changed: false };
    }
    const client = { name, kubeConfig: parseMemberKubeconfig(text, source), fingerprint, readAt: Date.now(), ref: source };
    this.cache.set(name, client);
    return { client, changed: true };
  }

  forget(name: string): void {
    this.cache.delete(name);
  }
}
