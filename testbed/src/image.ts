/**
 * buildah as the testbed and the e2e suite run it (no Docker engine: vfs storage, chroot
 * isolation), and the product's image built the way `make image` builds it.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { repoRoot } from "./paths.ts";
import type { CommandResult } from "./run-command.ts";

export const buildahEnv: NodeJS.ProcessEnv = {
  ...process.env,
  STORAGE_DRIVER: process.env["STORAGE_DRIVER"] ?? "vfs",
  BUILDAH_ISOLATION: process.env["BUILDAH_ISOLATION"] ?? "chroot",
};

/** `buildah ARGS`, whatever the exit code. */
export function buildah(args: string[]): CommandResult {
  const r = spawnSync("buildah", args, { env: buildahEnv, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `buildah ARGS`, its output trimmed; throws naming the command when it fails. */
export function buildahOk(args: string[]): string {
  const r = buildah(args);
  if (r.code !== 0) throw new Error(`buildah ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout.trim();
}

/** scripts/build-image.sh TAG (root: buildah, and Debian packages when missing), with this process's Node on PATH. */
export function buildImage(tag: string): void {
  const r = spawnSync("bash", [join(repoRoot, "scripts", "build-image.sh"), tag], {
    env: { ...buildahEnv, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`scripts/build-image.sh failed (${r.status}):\n${r.stderr}`);
}
