/**
 * A vector of resource amounts as integers: CPU in millicores, memory and ephemeral storage in
 * bytes, extended resources (nvidia.com/gpu, ...) in units. Plain objects keyed by resource name,
 * so adding a new extended resource needs no code.
 */
import { bytes, milliCpu, toUnits } from "./quantity.ts";

export type ResourceVector = Record<string, number>;

export const CPU = "cpu";
export const MEMORY = "memory";
export const EPHEMERAL_STORAGE = "ephemeral-storage";
export const GPU = "nvidia.com/gpu";
export const PODS = "pods";

/** Converts a Kubernetes ResourceList to integer units per resource. */
export function fromResourceList(list: Record<string, string | number> | undefined): ResourceVector {
  const out: ResourceVector = {};
  if (!list) return out;
  for (const [name, q] of Object.entries(list)) {
    if (q === undefined || q === null) continue;
    out[name] =
      name === CPU
        ? milliCpu(q)
        : name === MEMORY || name === EPHEMERAL_STORAGE || name.startsWith("hugepages-")
          ? bytes(q)
          : toUnits(q, 1);
  }
  return out;
}

/** Formats integer units back as Kubernetes quantities (`16`, `500m`, `64Gi`, `8`). */
export function toResourceList(v: ResourceVector): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(v).sort()) {
    const n = v[name]!;
    if (name === CPU) out[name] = n % 1000 === 0 ? String(n / 1000) : `${n}m`;
    else if (name === MEMORY || name === EPHEMERAL_STORAGE || name.startsWith("hugepages-")) out[name] = formatBytes(n);
    else out[name] = String(n);
  }
  return out;
}

function formatBytes(n: number): string {
  for (const [suffix, size] of [
    ["Ti", 2 ** 40],
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const) {
    if (n !== 0 && n % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}

/** a += b, in place (hot path of snapshot maintenance: no allocation). */
export function addInto(a: ResourceVector, b: ResourceVector, sign = 1): void {
  for (const k in b) {
    const next = (a[k] ?? 0) + sign * b[k]!;
    if (next === 0) delete a[k];
    else a[k] = next;
  }
}

export function add(a: ResourceVector, b: ResourceVector): ResourceVector {
  const out = { ...a };
  addInto(out, b);
  return out;
}

export function subtract(a: ResourceVector, b: ResourceVector): ResourceVector {
  const out = { ...a };
  addInto(out, b, -1);
  return out;
}

/** Element-wise max. */
export function max(a: ResourceVector, b: ResourceVector): ResourceVector {
  const out = { ...a };
  for (const k in b) out[k] = Math.max(out[k] ?? 0, b[k]!);
  return out;
}
