/**
 * The fleet's ReplicaSets of a fleet Deployment (ADR 0009): what one cluster's Deployment
 * controller would show — one ReplicaSet per pod template the Deployment ran, owned by it, its
 * counts summed over the members. Clients that judge a Deployment by its ReplicaSets read them:
 * `helm --wait` (the new ReplicaSet, matched by template, ready enough), `kubectl rollout
 * history` and `undo` (revisions, old templates), Argo CD's resource tree (owner references).
 *
 * Each member's ReplicaSets of the workload carry, from their member Deployment, the hash of the
 * fleet template they run (`spillway.dev/fleet-template-hash`); that hash groups them. The group
 * of the Deployment's current template gets the Deployment's own template, so it matches it
 * exactly as a member's new ReplicaSet matches its Deployment. Pure.
 */
import { fleetTemplateHashAnnotation, stableUid, templateHash } from "@spillway/rules";
import type { KubeJson } from "./fleet-level.ts";

export interface MemberReplicaSet {
  cluster: string;
  rs: KubeJson;
}

const HASH_LABEL = "pod-template-hash";
const REVISION = "deployment.kubernetes.io/revision";
/** Older member ReplicaSets (made before the fleet hash was written) group by their member template's hash. */
const MEMBER_TEMPLATE_HASH = "spillway.dev/template-hash";

type Template = { metadata?: { labels?: Record<string, string>; [f: string]: unknown }; [f: string]: unknown };

const withHash = (template: Template, hash: string): Template => ({
  ...template,
  metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } },
});

const withoutHash = (template: Template | undefined): Template => {
  const { [HASH_LABEL]: _h, ...labels } = template?.metadata?.labels ?? {};
  return { ...template, metadata: { ...template?.metadata, labels } };
};

const num = (v: unknown) => (typeof v === "number" ? v : 0);

/** The fleet template a member ReplicaSet runs: the key its group goes by. */
const groupKey = (rs: KubeJson): string | undefined => {
  const a = rs.metadata?.annotations ?? {};
  return a[fleetTemplateHashAnnotation] ?? a[MEMBER_TEMPLATE_HASH];
};

const identity = (deployment: KubeJson, key: string) => ({
  name: `${deployment.metadata?.name}-${key.slice(0, 10)}`,
  uid: stableUid(`${deployment.metadata?.uid}/${key}`),
});

/**
 * The fleet ReplicaSet a member ReplicaSet of `deployment` is counted in: what a pod of it names
 * as its owner through the fleet, so an owner-reference walk (Argo CD's resource tree) goes
 * pod → ReplicaSet → Deployment as in one cluster.
 */
export function fleetReplicaSetOf(deployment: KubeJson, rs: KubeJson): { name: string; uid: string } | undefined {
  const key = groupKey(rs);
  return key ? identity(deployment, key) : undefined;
}

export function fleetReplicaSets(deployment: KubeJson, members: readonly MemberReplicaSet[]): KubeJson[] {
  const meta = deployment.metadata ?? {};
  const spec = deployment.spec ?? {};
  const current = templateHash(spec.template);
  const groups = new Map<string, MemberReplicaSet[]>();
  for (const m of members) {
    const key = groupKey(m.rs);
    if (!key) continue;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const out: KubeJson[] = [];
  for (const [key, group] of groups) {
    const hash = key.slice(0, 10);
    const template = withHash(key === current ? (spec.template as Template) : withoutHash(group[0]!.rs.spec?.template as Template), hash);
    const sum = (f: string) => group.reduce((n, g) => n + num(g.rs.status?.[f]), 0);
    const revision = Math.max(0, ...group.map((g) => Number(g.rs.metadata?.annotations?.[REVISION] ?? 0)));
    const created = group
      .map((g) => String(g.rs.metadata?.creationTimestamp ?? ""))
      .filter(Boolean)
      .sort()[0];
    const selector = (spec.selector ?? {}) as { matchLabels?: Record<string, string> };
    out.push({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        ...identity(deployment, key),
        namespace: meta.namespace,
        generation: 1,
        ...(created ? { creationTimestamp: created } : {}),
        labels: template.metadata?.labels ?? {},
        annotations: {
          [REVISION]: String(revision),
          "deployment.kubernetes.io/desired-replicas": String(num(spec.replicas)),
        },
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        replicas: group.reduce((n, g) => n + num(g.rs.spec?.replicas), 0),
        selector: { ...selector, matchLabels: { ...selector.matchLabels, [HASH_LABEL]: hash } },
        template,
        ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
      },
      status: {
        replicas: sum("replicas"),
        fullyLabeledReplicas: sum("fullyLabeledReplicas"),
        readyReplicas: sum("readyReplicas"),
        availableReplicas: sum("availableReplicas"),
        observedGeneration: 1,
      },
    });
  }
  return out.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}
