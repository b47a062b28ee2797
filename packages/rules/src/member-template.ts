/**
 * The pod template a member runs for a federated workload: the federated template with the
 * overrides that select the member applied (image registry, JSON patches). Fleet-root (member
 * Deployments) and the stateful-orchestrator (member StatefulSets) must read an override the same
 * way, so the rule lives here once; the hash tells whether a member holds the current template.
 */
import { createHash } from "node:crypto";
import type { Override } from "@spillway/api";
import { matchesSelector } from "./label-selector.ts";

export interface MemberInfo {
  name: string;
  labels: Record<string, string>;
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

/** The member's pod template: the federated one with the member's overrides applied (patches address `/spec/template/...`). */
export function memberTemplate(spec: { template: unknown; overrides?: Override[] }, member: MemberInfo): Record<string, unknown> {
  const workload = { spec: { template: structuredClone(spec.template) as Record<string, unknown> } };
  for (const o of spec.overrides ?? []) {
    if (!overrideApplies(o, member)) continue;
    if (o.imageRegistry) {
      const podSpec = (workload.spec.template["spec"] ?? {}) as {
        containers?: Array<{ image?: string }>;
        initContainers?: Array<{ image?: string }>;
      };
      for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])])
        if (c.image) c.image = withRegistry(c.image, o.imageRegistry);
    }
    if (o.patches?.length) applyPatch(workload as unknown as Record<string, unknown>, o.patches);
  }
  return workload.spec.template;
}
