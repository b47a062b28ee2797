/** Shared e2e helpers: unique namespaces and polling with a deadline (never a bare sleep). */
import { randomBytes } from "node:crypto";
import { kubectl } from "./kubectl.ts";
import type { ClusterRole } from "./env.ts";

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

/** Polls `fn` until it returns a value other than undefined, or fails with `what` after the deadline. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function createNamespace(role: ClusterRole, name: string): Promise<void> {
  const r = await kubectl(role, ["create", "namespace", name]);
  if (r.code !== 0) throw new Error(`create namespace ${name} on ${role}: ${r.stderr}`);
}

export async function deleteNamespace(role: ClusterRole, name: string): Promise<void> {
  await kubectl(role, ["delete", "namespace", name, "--wait=false", "--ignore-not-found"]);
}
