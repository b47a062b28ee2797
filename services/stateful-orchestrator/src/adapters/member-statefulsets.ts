/**
 * The orchestrator's hands in the members: watches of the StatefulSets it manages and of their
 * pods (label-selected, so a member's other objects cost nothing), and the writes — server-side
 * apply as `spillway-stateful-orchestrator`, delete, the namespace, and the headless Service where
 * the member has none.
 */
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod, type V1StatefulSet } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { isAlreadyExists, isNotFound, MemberApis, MemberInformers, type MemberClients } from "@spillway/kit";
import type { LivePod } from "../core/orchestration.ts";
import { MANAGED_BY, MANAGER, type MemberObject, type StatefulSetObject } from "../core/member-statefulset.ts";

export const FIELD_MANAGER = "spillway-stateful-orchestrator";
const SELECTOR = `${MANAGED_BY}=${MANAGER}`;

/** What the controller writes to members; the unit tests' fake implements it over in-memory members. */
export interface MemberStatefulSetWriter {
  /** Whether a StatefulSet of that name exists in the member, and whether the orchestrator manages it. */
  read(member: MemberCluster, namespace: string, name: string): Promise<{ managed: boolean } | undefined>;
  /** Applies the StatefulSet; returns the generation the member gave it. */
  apply(member: MemberCluster, object: StatefulSetObject): Promise<number>;
  delete(member: MemberCluster, namespace: string, name: string): Promise<void>;
  ensureNamespace(member: MemberCluster, namespace: string): Promise<void>;
  /** Creates the Service unless one of that name exists (someone else's is left alone). */
  ensureService(member: MemberCluster, service: MemberObject): Promise<void>;
  /** Deletes the Service if the orchestrator made it. */
  deleteService(member: MemberCluster, namespace: string, name: string): Promise<void>;
}

export function memberStatefulSetInformers(clients: MemberClients, onError: (cluster: string, err: unknown, retryInMs: number) => void) {
  return new MemberInformers<V1StatefulSet>(
    clients,
    {
      path: "/apis/apps/v1/statefulsets",
      labelSelector: SELECTOR,
      list: (kc, selector) => kc.makeApiClient(AppsV1Api).listStatefulSetForAllNamespaces({ labelSelector: selector }),
    },
    onError,
  );
}

export function memberPodInformers(clients: MemberClients, onError: (cluster: string, err: unknown, retryInMs: number) => void) {
  return new MemberInformers<V1Pod>(
    clients,
    {
      path: "/api/v1/pods",
      labelSelector: SELECTOR,
      list: (kc, selector) => kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({ labelSelector: selector }),
    },
    onError,
  );
}

/** A member pod as the orchestrator's core reads it. */
export function livePod(p: V1Pod): LivePod | undefined {
  const index = p.metadata?.labels?.["apps.kubernetes.io/pod-index"] ?? p.metadata?.name?.slice(p.metadata.name.lastIndexOf("-") + 1);
  const ordinal = Number(index);
  if (!Number.isInteger(ordinal) || ordinal < 0) return undefined;
  const ready = p.status?.conditions?.find((c) => c.type === "Ready");
  const scheduled = p.status?.conditions?.find((c) => c.type === "PodScheduled");
  const phase = p.status?.phase ?? "Pending";
  const reason =
    scheduled?.status === "False"
      ? `Pending: ${scheduled.message ?? scheduled.reason ?? "not scheduled"}`
      : ready?.status !== "True"
        ? `${phase}, not Ready${ready?.reason ? ` (${ready.reason})` : ""}`
        : undefined;
  return {
    ordinal,
    ready: ready?.status === "True",
    ...(ready?.lastTransitionTime ? { readySinceMs: new Date(ready.lastTransitionTime).getTime() } : {}),
    terminating: !!p.metadata?.deletionTimestamp,
    ...(p.metadata?.labels?.["controller-revision-hash"] ? { revision: p.metadata.labels["controller-revision-hash"] } : {}),
    ...(reason ? { reason } : {}),
  };
}

export class ApiMemberStatefulSetWriter implements MemberStatefulSetWriter {
  private readonly apis: MemberApis;

  constructor(clients: MemberClients) {
    this.apis = new MemberApis(clients);
  }

  private api(member: MemberCluster) {
    return this.apis.get(member);
  }

  async read(member: MemberCluster, namespace: string, name: string) {
    const { apps } = await this.api(member);
    try {
      const s = await apps.readNamespacedStatefulSet({ namespace, name });
      return { managed: s.metadata?.labels?.[MANAGED_BY] === MANAGER };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async apply(member: MemberCluster, object: StatefulSetObject): Promise<number> {
    const { apps } = await this.api(member);
    const applied = await apps.patchNamespacedStatefulSet(
      { namespace: object.metadata.namespace, name: object.metadata.name, body: object, fieldManager: FIELD_MANAGER, force: true },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    return applied.metadata?.generation ?? 0;
  }

  async delete(member: MemberCluster, namespace: string, name: string): Promise<void> {
    const { apps } = await this.api(member);
    await apps.deleteNamespacedStatefulSet({ namespace, name, propagationPolicy: "Background" }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  ensureNamespace(member: MemberCluster, namespace: string): Promise<void> {
    return this.apis.ensureNamespace(member, namespace);
  }

  async ensureService(member: MemberCluster, service: MemberObject): Promise<void> {
    const { core } = await this.api(member);
    await core.createNamespacedService({ namespace: service.metadata.namespace, body: service as never }).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }

  async deleteService(member: MemberCluster, namespace: string, name: string): Promise<void> {
    const { core } = await this.api(member);
    try {
      const s = await core.readNamespacedService({ namespace, name });
      if (s.metadata?.labels?.[MANAGED_BY] !== MANAGER) return;
      await core.deleteNamespacedService({ namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
