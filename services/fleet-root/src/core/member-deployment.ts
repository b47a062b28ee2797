/**
 * The apps/v1 Deployment fleet-root keeps in a member for a FederatedDeployment: the federated
 * spec with the member's replicas and budget share, the overrides that select the member applied,
 * labels that mark it as managed, and annotations pointing back to the federated object.
 */
import { createHash } from "node:crypto";
import type { FederatedDeploymentSpec, Override } from "@spillway/api";
import { matchesSelector } from "@spillway/rules";
import type { MemberPlan } from "./rollout-plan.ts";

export const MANAGED_BY = "spillway.dev/managed-by";
export const MANAGER = "fleet-root";
export const OWNER_ANNOTATION = "spillway.dev/federated-deployment";
export const TEMPLATE_HASH = "spillway.dev/template-hash";

export interface MemberInfo {
  name: string;
  labels: Record<string, string>;
}

export interface DeploymentObject {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    resourceVersion?: string;
  };
  spec: Record<string, unknown> & { replicas: number; template: Record<string, unknown> };
}

export const overrideApplies = (o: Override, m: MemberInfo) =>
  (o.clusterNames ?? []).includes(m.name) || (o.clusterSelector !== undefined && matchesSelector(m.labels, o.clusterSelector));

/** `registry.example/shop/web:1` with registry `mirror` → `mirror/shop/web:1`; `nginx` → `mirror/nginx`. */
export function withRegistry(image: string, registry: string): string {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  return `${registry.replace(/\/$/, "")}/${hasRegistry ? image.slice(slash + 1) : image}`;
}

function decodePointer(path: string): string[] {
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** RFC 6902 add / replace / remove on a plain JSON value; throws naming the path it cannot apply. */
export function applyPatch(doc: Record<string, unknown>, ops: NonNullable<Override["patches"]>): void {
  for (const op of ops) {
    const parts = decodePointer(op.path);
    const last = parts.pop()!;
    let target: unknown = doc;
    for (const p of parts) {
      target = Array.isArray(target) ? target[Number(p)] : (target as Record<string, unknown> | undefined)?.[p];
      if (target === undefined || target === null || typeof target !== "object")
        throw new Error(`override patch ${op.op} ${op.path}: ${p} does not exist`);
    }
    if (op.op !== "remove" && !("value" in op)) throw new Error(`override patch ${op.op} ${op.path}: value is required`);
    if (Array.isArray(target)) {
      const i = last === "-" ? target.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > target.length)
        throw new Error(`override patch ${op.op} ${op.path}: index ${last} out of range`);
      if (op.op === "add") target.splice(i, 0, structuredClone(op.value));
      else if (op.op === "replace") target[i] = structuredClone(op.value);
      else target.splice(i, 1);
    } else {
      const obj = target as Record<string, unknown>;
      if (op.op !== "add" && !(last in obj)) throw new Error(`override patch ${op.op} ${op.path}: ${last} does not exist`);
      if (op.op === "remove") delete obj[last];
      else obj[last] = structuredClone(op.value);
    }
  }
}

export function templateHash(template: unknown): string {
  return createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 16);
}

/** The member's pod template: the federated one with the member's overrides applied. */
export function memberTemplate(spec: FederatedDeploymentSpec, member: MemberInfo): Record<string, unknown> {
  const deployment = { spec: { template: structuredClone(spec.template) as unknown as Record<string, unknown> } };
  for (const o of spec.overrides ?? []) {
    if (!overrideApplies(o, member)) continue;
    if (o.imageRegistry) {
      const podSpec = (deployment.spec.template["spec"] ?? {}) as {
        containers?: Array<{ image?: string }>;
        initContainers?: Array<{ image?: string }>;
      };
      for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])])
        if (c.image) c.image = withRegistry(c.image, o.imageRegistry);
    }
    if (o.patches?.length) applyPatch(deployment as unknown as Record<string, unknown>, o.patches);
  }
  return deployment.spec.template;
}

export function memberDeployment(
  fd: { namespace: string; name: string; spec: FederatedDeploymentSpec },
  member: MemberInfo,
  plan: MemberPlan,
): DeploymentObject {
  const template = memberTemplate(fd.spec, member);
  const recreate = fd.spec.strategy?.type === "Recreate";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: fd.name,
      namespace: fd.namespace,
      labels: { [MANAGED_BY]: MANAGER, [OWNER_ANNOTATION]: fd.name },
      annotations: { [OWNER_ANNOTATION]: `${fd.namespace}/${fd.name}`, [TEMPLATE_HASH]: templateHash(template) },
    },
    spec: {
      replicas: plan.replicas,
      selector: fd.spec.selector,
      template,
      strategy: recreate
        ? { type: "Recreate" }
        : { type: "RollingUpdate", rollingUpdate: { maxSurge: plan.maxSurge, maxUnavailable: plan.maxUnavailable } },
      minReadySeconds: fd.spec.minReadySeconds ?? 0,
      revisionHistoryLimit: fd.spec.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: fd.spec.progressDeadlineSeconds ?? 600,
      paused: plan.paused,
    },
  };
}
