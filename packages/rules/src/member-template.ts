/**
 * The pod template a member runs for a federated workload: the federated template with the
 * overrides that select the member applied (image registry, JSON patches). Fleet-root (member
 * Deployments) and the stateful-orchestrator (member StatefulSets) must read an override the same
 * way, so the rule lives here once; the hash tells whether a member holds the current template.
 */
import { createHash } from "node:crypto";
import type { Override } from "@spillway/api";
import jsonpatch, { type Operation } from "fast-json-patch";
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

/**
 * RFC 6902 add / replace / remove on a plain JSON value, by fast-json-patch (validating each
 * operation as the RFC does: `replace` or `remove` of an index or member that does not exist is
 * refused, `add` may append at the array's length); throws naming the operation it cannot apply.
 */
export function applyPatch(doc: Record<string, unknown>, ops: NonNullable<Override["patches"]>): void {
  for (const op of ops) {
    if (op.op !== "remove" && !("value" in op)) throw new Error(`override patch ${op.op} ${op.path}: value is required`);
    try {
      jsonpatch.applyOperation(doc, structuredClone(op) as Operation, true, true);
    } catch (err) {
      throw new Error(`override patch ${op.op} ${op.path}: ${patchProblem(err)}`);
    }
  }
}

/** What fast-json-patch's error codes mean, in the words of the override's author. */
function patchProblem(err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === "OPERATION_PATH_UNRESOLVABLE") return "the path does not exist";
  if (name === "OPERATION_VALUE_OUT_OF_BOUNDS") return "the array index is out of range";
  if (name === "OPERATION_PATH_ILLEGAL_ARRAY_INDEX") return "the array index is not a number";
  if (name === "OPERATION_PATH_INVALID") return "the path is not a JSON pointer";
  return err instanceof Error ? err.message : String(err);
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
