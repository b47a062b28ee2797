/**
 * What a member holds, and the host, of the objects a workload's pods need (ADR 0009): the
 * shell's look before it writes a workload to a member, judged by `judgeDependencies`. The member
 * is read first (Spillway's copy there settles it); the host only when the member has none.
 */
import { KubernetesObjectApi, type KubeConfig } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { isNotFound, type ObjectCache } from "@spillway/kit";
import {
  dependencyKinds,
  dependencyManager,
  memberCopy,
  selectingServices,
  serviceAccountDependencies,
  templateDependencies,
  type PodSpecRefs,
  type DependencyKind,
  type DependencyObject,
  type DependencyRef,
  type DependencySighting,
} from "@spillway/rules";
import { ApiMemberWriter, type Manager, type MemberObjectRef, type MemberWriter } from "./member-writer.ts";
import type { MemberClients } from "@spillway/kit";

/** Who writes dependency copies in members: the label their watch selects, and the field manager. */
export const DEPENDENCY_COPIES: Manager = { ...dependencyManager, fieldManager: "spillway-dependencies" };

/** Caches a controller may already hold: the host's sources and each member's Spillway copies, by kind. */
export interface DependencyCaches {
  sources: Record<DependencyKind, ObjectCache<DependencyObject>>;
  copies: Record<DependencyKind, { cache(cluster: string): ObjectCache<unknown> | undefined }>;
}

/**
 * What a member-workload controller looks at before writing a workload (the shell's `dependencies`).
 * With the dependency follower's caches (fleet-root), a look answers from them and calls an API
 * server only for what they lack (an object newer than the cache, or a member's own).
 */
export const dependencyLook = (clients: Pick<MemberClients, "get">, host: KubeConfig, caches?: DependencyCaches) => {
  const copies = new ApiMemberWriter(clients, DEPENDENCY_COPIES);
  const sources = new ApiHostObjects(host);
  return caches
    ? { copies: new CachedCopies(caches.copies, copies), host: new CachedHostObjects(caches.sources, sources) }
    : { copies, host: sources };
};

/** The host's sources from a cache: Services listed from it, a name it lacks read from the host. */
export class CachedHostObjects implements HostObjects {
  private readonly cached: DependencyCaches["sources"];
  private readonly api: HostObjects;

  constructor(cached: DependencyCaches["sources"], api: HostObjects) {
    this.cached = cached;
    this.api = api;
  }

  async services(namespace: string): Promise<DependencyObject[]> {
    return [...this.cached.Service.list(namespace)];
  }

  async read(namespace: string, ref: DependencyRef): Promise<DependencyObject | undefined> {
    return this.cached[ref.kind].get(ref.name, namespace) ?? this.api.read(namespace, ref);
  }
}

/** Spillway's copies in a member from a cache of them; anything else (absent, or the member's own) read from the member. */
export class CachedCopies implements Pick<MemberWriter, "read"> {
  private readonly cached: DependencyCaches["copies"];
  private readonly api: Pick<MemberWriter, "read">;

  constructor(cached: DependencyCaches["copies"], api: Pick<MemberWriter, "read">) {
    this.cached = cached;
    this.api = api;
  }

  async read(member: MemberCluster, ref: MemberObjectRef): Promise<{ managed: boolean } | undefined> {
    const kind = ref.kind as DependencyKind;
    if (this.cached[kind]?.cache(member.metadata.name!)?.get(ref.name, ref.namespace)) return { managed: true };
    return this.api.read(member, ref);
  }
}

/** The host's objects that dependencies are copied from. */
export interface HostObjects {
  read(namespace: string, ref: DependencyRef): Promise<DependencyObject | undefined>;
  /** The namespace's Services (those that select the pods follow them). */
  services(namespace: string): Promise<DependencyObject[]>;
}

export class ApiHostObjects implements HostObjects {
  private readonly api: KubernetesObjectApi;

  constructor(kubeConfig: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  async services(namespace: string): Promise<DependencyObject[]> {
    return (await this.api.list("v1", "Service", namespace)).items as DependencyObject[];
  }

  async read(namespace: string, ref: DependencyRef): Promise<DependencyObject | undefined> {
    try {
      return (await this.api.read({
        apiVersion: dependencyKinds[ref.kind].apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace },
      })) as DependencyObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/**
 * Everything the pods of `template` need in a member, as the follower copies it: what the template
 * names, the image pull secrets of its ServiceAccount, and the Services that select its pods.
 */
export async function podDependencies(
  template: { metadata?: { labels?: Record<string, string> }; spec?: PodSpecRefs } | undefined,
  namespace: string,
  host: HostObjects,
): Promise<DependencyRef[]> {
  const named = templateDependencies(template?.spec);
  const accounts = named.filter((r) => r.kind === "ServiceAccount");
  const lent = (await Promise.all(accounts.map(async (r) => serviceAccountDependencies(await host.read(namespace, r))))).flat();
  const services = selectingServices(await host.services(namespace), template?.metadata?.labels);
  return [...named, ...lent, ...services];
}

/** Reads, for each ref, what `member` holds (through the follower's writer, which knows its own copies) and, if need be, the host. */
export async function sightDependencies(
  member: MemberCluster,
  namespace: string,
  refs: readonly DependencyRef[],
  copies: Pick<MemberWriter, "read">,
  host: HostObjects,
): Promise<DependencySighting[]> {
  return Promise.all(
    refs.map(async (ref): Promise<DependencySighting> => {
      const held = await copies.read(member, {
        apiVersion: dependencyKinds[ref.kind].apiVersion,
        kind: ref.kind,
        namespace,
        name: ref.name,
      });
      if (held?.managed) return { ref, member: "copy" };
      const source = await host.read(namespace, ref);
      // A source that never leaves the host (a service-account token) is not awaited.
      return { ref, member: held ? "foreign" : "absent", onHost: !!source && !!memberCopy(ref.kind, source) };
    }),
  );
}
