/**
 * The dependency follower (ADR 0009): keeps in every member exactly the copies of host objects
 * (ConfigMaps, Secrets, ServiceAccounts, PersistentVolumeClaims, Services) that the workloads
 * there need, one namespace at a time, since a copy may serve several workloads of both kinds.
 *
 *   observe — the namespace's FederatedDeployments and FederatedStatefulSets, their Placements,
 *     the host's objects of the namespace, Spillway's copies in each Ready member;
 *   decide — `followPlan` (pure): creates and put-backs, then removals;
 *   apply — creates are plain creates, so a member's own object of that name is never taken over
 *     (reported; the member-workload shell keeps the workload out of that member).
 *
 * Copies are written before the workload's pods can start: the shell writes a workload to a
 * member only once the copies its template names are there.
 */
import type { FederatedDeployment, FederatedStatefulSet, MemberCluster, Placement } from "@spillway/api";
import { Controller, parseKey, watch, type CachedSource, type MemberObjects, type ObjectLike, type ReconcileResult } from "@spillway/kit";
import type { MemberWriter } from "@spillway/member-workload";
import {
  dependencyKey,
  dependencyKindNames,
  followPlan,
  isMemberReady,
  memberCopy,
  memberCopyFor,
  memberLabels,
  placementName,
  type CopyWrite,
  type DependencyCopy,
  type DependencyKind,
  type DependencyObject,
  type MemberCopies,
  type WorkloadKind,
} from "@spillway/rules";
import { errorFields, type Logger } from "@spillway/telemetry";
import { followedWorkload, type WorkloadShape } from "../core/dependency-needs.ts";
import type { ByKind } from "../adapters/dependency-objects.ts";

export interface DependencyDeps {
  deployments: CachedSource<FederatedDeployment>;
  statefulSets: CachedSource<FederatedStatefulSet>;
  placements: CachedSource<Placement>;
  members: CachedSource<MemberCluster>;
  /** The host's objects: the sources. */
  sources: ByKind<CachedSource<DependencyObject>>;
  /** Spillway's copies in each member. */
  copies: ByKind<MemberObjects<DependencyObject>>;
  writer: MemberWriter;
  log: Logger;
  countMemberCall?: (verb: "apply" | "delete" | "namespace") => void;
  /** Called once per write carried out (benchmarks, metrics). */
  written?: (write: CopyWrite) => void;
}

const kinds = dependencyKindNames;
/** One key per namespace: the follower's unit of work. */
const NAME = "dependencies";
const nsKey = (namespace: string) => `${namespace}/${NAME}`;
// A member's own object in the way, or a member that refused: look again, without hammering it.
const RETRY_MS = 10_000;

function copiesByKey(objects: ReadonlyArray<{ kind: DependencyKind; object: DependencyObject }>): Map<string, DependencyCopy> {
  const out = new Map<string, DependencyCopy>();
  for (const { kind, object } of objects) {
    const copy = memberCopy(kind, object);
    if (copy) out.set(dependencyKey({ kind, name: copy.metadata.name }), copy);
  }
  return out;
}

export function dependencyReconciler(deps: DependencyDeps) {
  const { log } = deps;

  async function observe(namespace: string) {
    const host = {
      account: (name: string) => deps.sources.ServiceAccount.get(name, namespace),
      services: deps.sources.Service.list(namespace),
    };
    const placement = (kind: WorkloadKind, name: string) => deps.placements.get(placementName(kind, name), namespace);
    const workloads = [
      ...deps.deployments.list(namespace).map((fd) =>
        followedWorkload(
          {
            id: `FederatedDeployment/${fd.metadata.name}`,
            template: fd.spec.template as WorkloadShape["template"],
            heldIn: (fd.status?.clusters ?? []).filter((c) => c.replicas > 0).map((c) => c.name),
          },
          placement("FederatedDeployment", fd.metadata.name!),
          host,
        ),
      ),
      ...deps.statefulSets.list(namespace).map((s) =>
        followedWorkload(
          {
            id: `FederatedStatefulSet/${s.metadata.name}`,
            template: s.spec.template as WorkloadShape["template"],
            heldIn: (s.status?.ordinalRanges ?? []).filter((r) => (r.replicas ?? r.count) > 0).map((r) => r.cluster),
          },
          placement("FederatedStatefulSet", s.metadata.name!),
          host,
        ),
      ),
    ];
    // The host's objects by `Kind/name`; each member's copy of one is made (with the overrides
    // that select the member) when the plan asks for it.
    const sources = new Map<string, { kind: DependencyKind; object: DependencyObject }>();
    for (const kind of kinds)
      for (const object of deps.sources[kind].list(namespace))
        sources.set(dependencyKey({ kind, name: object.metadata?.name ?? "" }), { kind, object });
    const infos = new Map(deps.members.list().map((m) => [m.metadata.name!, { name: m.metadata.name!, labels: memberLabels(m) }]));
    const desired = (member: string, key: string): DependencyCopy | undefined => {
      const source = sources.get(key);
      const info = infos.get(member);
      if (!source || !info) return undefined;
      try {
        return memberCopyFor(source.kind, source.object, info);
      } catch (err) {
        // The source's overrides are broken: that member gets no copy (its workload waits, and says so).
        log.warn({ controller: NAME, namespace, cluster: member, object: key, ...errorFields(err) }, "cannot make a member's copy");
        return undefined;
      }
    };
    const wanted = new Set(workloads.flatMap((w) => w.members));
    const members: MemberCopies[] = [];
    for (const m of deps.members.list()) {
      const name = m.metadata.name!;
      // A fenced member is gone for good; an unready one is looked at again once it is back.
      if (m.spec.fenced || (!isMemberReady(m) && !wanted.has(name))) continue;
      let synced = isMemberReady(m);
      try {
        await Promise.all(kinds.map((k) => deps.copies[k].ensure(m)));
      } catch (err) {
        log.warn({ controller: NAME, cluster: name, ...errorFields(err) }, "no client for member");
        synced = false;
      }
      const caches = kinds.map((kind) => ({ kind, cache: deps.copies[kind].cache(name) }));
      synced &&= caches.every((c) => c.cache?.synced);
      const held = caches.flatMap(({ kind, cache }) => (cache?.list(namespace) ?? []).map((object) => ({ kind, object })));
      members.push({ name, synced, copies: copiesByKey(held) });
    }
    return { workloads, desired, members };
  }

  async function apply(namespace: string, writes: CopyWrite[]): Promise<{ retry: boolean }> {
    let retry = false;
    const namespaced = new Set<string>();
    // Creates and put-backs first, removals last (the plan's order), each phase member by member in parallel.
    for (const phase of [writes.filter((w) => w.action !== "delete"), writes.filter((w) => w.action === "delete")]) {
      const byMember = new Map<string, CopyWrite[]>();
      for (const w of phase) byMember.set(w.cluster, [...(byMember.get(w.cluster) ?? []), w]);
      await Promise.all(
        [...byMember].map(async ([cluster, ws]) => {
          const member = deps.members.get(cluster);
          if (!member) return;
          for (const w of ws) {
            const what = "ref" in w ? dependencyKey(w.ref) : dependencyKey({ kind: w.copy.kind, name: w.copy.metadata.name });
            // Only names and places are logged: a copy may be a Secret.
            const fields = { controller: NAME, namespace, cluster, object: what };
            try {
              if (w.action === "create" && "copy" in w) {
                if (!namespaced.has(cluster)) {
                  deps.countMemberCall?.("namespace");
                  await deps.writer.ensureNamespace(member, namespace);
                  namespaced.add(cluster);
                }
                deps.countMemberCall?.("apply");
                if (!(await deps.writer.create(member, w.copy))) {
                  log.warn(fields, "a member's own object holds the name of a dependency; it is left alone");
                  retry = true;
                  continue;
                }
              } else if ("copy" in w) {
                deps.countMemberCall?.("apply");
                await deps.writer.replace(member, w.copy);
              } else {
                deps.countMemberCall?.("delete");
                await deps.writer.delete(member, { apiVersion: "v1", kind: w.ref.kind, namespace, name: w.ref.name }, true);
              }
              deps.written?.(w);
            } catch (err) {
              log.warn({ ...fields, ...errorFields(err) }, "dependency copy write failed; will retry");
              retry = true;
            }
          }
        }),
      );
    }
    return { retry };
  }

  return async (key: string): Promise<ReconcileResult> => {
    const { namespace } = parseKey(key);
    if (!namespace) return {};
    const observed = await observe(namespace);
    const writes = followPlan(observed);
    const { retry } = await apply(namespace, writes);
    const unsynced = observed.members.some((m) => !m.synced);
    return retry || unsynced ? { requeueAfterMs: unsynced ? 1000 : RETRY_MS } : {};
  };
}

/** The namespaces that hold workloads, as the controller's primary source (one key each). */
function workloadNamespaces(sources: ReadonlyArray<CachedSource<ObjectLike>>): CachedSource<ObjectLike> {
  const asKey = (o: ObjectLike): ObjectLike => ({ metadata: { namespace: o.metadata?.namespace, name: NAME } });
  return {
    get: () => undefined,
    list: () => {
      const namespaces = new Set(sources.flatMap((s) => s.list().map((o) => o.metadata?.namespace ?? "")));
      return [...namespaces].filter(Boolean).map((namespace) => ({ metadata: { namespace, name: NAME } }));
    },
    addHandler: (h) => sources.forEach((s) => s.addHandler((type, o) => h(type, asKey(o)))),
    hasSynced: async () => void (await Promise.all(sources.map((s) => s.hasSynced()))),
  };
}

export function dependencyController(deps: DependencyDeps): Controller<ObjectLike> {
  const byNamespace = (o: { metadata?: { namespace?: string } }) => (o.metadata?.namespace ? [nsKey(o.metadata.namespace)] : []);
  const namespaces = workloadNamespaces([deps.deployments, deps.statefulSets]);
  const everyNamespace = () => namespaces.list().map((o) => nsKey(o.metadata!.namespace!));
  return new Controller<ObjectLike>({
    name: "dependency-follower",
    primary: namespaces,
    secondary: [
      watch(deps.placements, byNamespace),
      ...kinds.map((k) => watch(deps.sources[k], byNamespace)),
      // A copy changed or vanished in a member: put it back (or let it go) at once.
      ...kinds.map((k) => watch(deps.copies[k], (e) => byNamespace(e.object))),
      ...kinds.map((k) => watch(deps.copies[k].synced, everyNamespace)),
      watch(deps.members, everyNamespace, 200),
    ],
    concurrency: 4,
    reconcile: dependencyReconciler(deps),
    log: deps.log,
  });
}
