/**
 * Following a workload's dependencies into members (ADR 0009): the copy of a host object a member
 * gets, and the plan that makes each member hold exactly the copies its workloads need.
 *
 * - The host object is the source: a copy is the source's content with the member's own fields
 *   left out (a Service's cluster IPs and node ports, a claim's bound volume), labelled as
 *   Spillway's. A copy that differs (the source changed, or someone edited the copy) is put back.
 * - A copy exists in every member where a workload that needs it is, and leaves a member only
 *   when no workload there names it any more (a shared one stays while either needs it). A copy
 *   whose source was deleted stays while a workload there still names it: removing it would break
 *   running pods, and nothing would be gained.
 * - A member's own object of the same name is never taken over: creates are plain creates, and
 *   the apply step reports "already exists" as a conflict.
 */
import type { Override } from "@spillway/api";
import { deepEqual } from "./deep-equal.ts";
import { applyPatch, overrideApplies, type MemberInfo } from "./member-template.ts";
import { dependencyKey, dependencyKinds, type DependencyKind, type DependencyRef } from "./workload-dependencies.ts";

/** The label every copy carries, and its value: the member watch selects copies by it. */
export const dependencyManager = { label: "spillway.dev/managed-by", value: "dependencies" } as const;

/** An object as the API returns it, for the kinds that follow workloads. */
export interface DependencyObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** A copy as it is written to (and compared in) a member. */
export interface DependencyCopy {
  apiVersion: string;
  kind: DependencyKind;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * On a source object: what changes in the copies of selected members, as a workload's overrides
 * (JSON of `[{clusterNames | clusterSelector, patches}]`, patches applied to the copy), e.g. a
 * different registry Secret or storage class in cloud.
 */
export const copyOverridesAnnotation = "spillway.dev/overrides";

// Bookkeeping of the tools that wrote the source, and Spillway's own instructions: not content.
const droppedAnnotations = ["kubectl.kubernetes.io/last-applied-configuration", copyOverridesAnnotation];

/** What a member's control plane owns in a Service and a claim: never copied, never compared. */
function contentOf(kind: DependencyKind, o: DependencyObject): Record<string, unknown> | undefined {
  const pick = (...fields: string[]) => Object.fromEntries(fields.filter((f) => o[f] !== undefined).map((f) => [f, o[f]]));
  switch (kind) {
    case "ConfigMap":
      return pick("data", "binaryData", "immutable");
    case "Secret":
      // A token minted by the host's control plane is the host's credential: never sent anywhere.
      if (o.type === "kubernetes.io/service-account-token") return undefined;
      return pick("type", "data", "immutable");
    case "ServiceAccount":
      return pick("imagePullSecrets", "automountServiceAccountToken");
    case "PersistentVolumeClaim": {
      const { volumeName: _v, ...spec } = (o.spec ?? {}) as Record<string, unknown>;
      return { spec };
    }
    case "Service": {
      const {
        clusterIP,
        clusterIPs: _ips,
        ipFamilies: _f,
        healthCheckNodePort: _h,
        ports,
        ...spec
      } = (o.spec ?? {}) as Record<string, unknown>;
      const memberPorts = (ports as Array<Record<string, unknown>> | undefined)?.map(({ nodePort: _n, ...p }) => p);
      return { spec: { ...spec, ...(clusterIP === "None" ? { clusterIP } : {}), ...(memberPorts ? { ports: memberPorts } : {}) } };
    }
  }
}

/**
 * The copy of `source` a member gets, or undefined for an object that must never leave the host.
 * Applied to a member's copy, it gives what is compared with the source's.
 */
export function memberCopy(kind: DependencyKind, source: DependencyObject): DependencyCopy | undefined {
  const content = contentOf(kind, source);
  if (!content || !source.metadata?.name || !source.metadata.namespace) return undefined;
  const annotations = Object.fromEntries(
    Object.entries(source.metadata.annotations ?? {}).filter(([k]) => !droppedAnnotations.includes(k)),
  );
  return {
    apiVersion: dependencyKinds[kind].apiVersion,
    kind,
    metadata: {
      name: source.metadata.name,
      namespace: source.metadata.namespace,
      labels: { ...source.metadata.labels, [dependencyManager.label]: dependencyManager.value },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    ...content,
  };
}

/**
 * The copy one member gets: `memberCopy` with the source's overrides that select the member
 * applied. Throws, naming the source, when its overrides are not JSON or a patch does not apply.
 */
export function memberCopyFor(kind: DependencyKind, source: DependencyObject, member: MemberInfo): DependencyCopy | undefined {
  const copy = memberCopy(kind, source);
  const raw = source.metadata?.annotations?.[copyOverridesAnnotation];
  if (!copy || raw === undefined) return copy;
  let overrides: Override[];
  try {
    overrides = JSON.parse(raw) as Override[];
    if (!Array.isArray(overrides)) throw new Error("not a list");
  } catch {
    throw new Error(
      `${kind} ${copy.metadata.namespace}/${copy.metadata.name}: annotation ${copyOverridesAnnotation} must be a JSON list of overrides`,
    );
  }
  const patched = structuredClone(copy) as unknown as Record<string, unknown>;
  for (const o of overrides) {
    if (!overrideApplies(o, member)) continue;
    try {
      applyPatch(patched, o.patches ?? []);
    } catch (err) {
      throw new Error(`${kind} ${copy.metadata.namespace}/${copy.metadata.name} for ${member.name}: ${(err as Error).message}`);
    }
  }
  return patched as unknown as DependencyCopy;
}

/** Whether a member's copy must be rewritten: claims are made once (their spec is the member's after binding). */
export function copyDiffers(kind: DependencyKind, actual: DependencyCopy, desired: DependencyCopy): boolean {
  if (kind === "PersistentVolumeClaim") return false;
  const { metadata: am, ...a } = actual;
  const { metadata: dm, ...d } = desired;
  return !deepEqual(a, d) || !deepEqual(am.labels, dm.labels) || !deepEqual(am.annotations ?? {}, dm.annotations ?? {});
}

/** A workload as the follower sees it: where it is, and every object it needs there. */
export interface FollowedWorkload {
  /** `Kind/name`, for reports. */
  id: string;
  /** Members where the workload has, or is about to have, pods. */
  members: readonly string[];
  needs: readonly DependencyRef[];
}

export interface MemberCopies {
  name: string;
  /** The member's copies have been listed since start: only then is anything written there. */
  synced: boolean;
  /** Spillway's copies in the member, by `Kind/name`, each as `memberCopy` reads it. */
  copies: ReadonlyMap<string, DependencyCopy>;
}

export type CopyWrite =
  { cluster: string; action: "create" | "update"; copy: DependencyCopy } | { cluster: string; action: "delete"; ref: DependencyRef };

/**
 * The writes that make each synced member hold the copies its workloads need: `desired` is the
 * copy a member gets of a source (by `Kind/name`; undefined when the host holds none, or none for
 * that member). Creates first in the result; deletes last, so nothing needed is ever absent
 * between the two.
 */
export function followPlan(input: {
  workloads: readonly FollowedWorkload[];
  desired: (member: string, key: string) => DependencyCopy | undefined;
  members: readonly MemberCopies[];
}): CopyWrite[] {
  const referenced = new Map<string, Map<string, DependencyRef>>();
  for (const w of input.workloads) {
    for (const m of w.members) {
      let refs = referenced.get(m);
      if (!refs) referenced.set(m, (refs = new Map()));
      for (const r of w.needs) refs.set(dependencyKey(r), r);
    }
  }
  const puts: CopyWrite[] = [];
  const deletes: CopyWrite[] = [];
  for (const m of input.members) {
    if (!m.synced) continue;
    const refs = referenced.get(m.name) ?? new Map<string, DependencyRef>();
    for (const [key, ref] of refs) {
      const desired = input.desired(m.name, key);
      if (!desired) continue;
      const actual = m.copies.get(key);
      if (!actual) puts.push({ cluster: m.name, action: "create", copy: desired });
      else if (copyDiffers(ref.kind, actual, desired)) puts.push({ cluster: m.name, action: "update", copy: desired });
    }
    for (const [key, copy] of m.copies) {
      if (!refs.has(key)) deletes.push({ cluster: m.name, action: "delete", ref: { kind: copy.kind, name: copy.metadata.name } });
    }
  }
  return [...puts, ...deletes];
}
