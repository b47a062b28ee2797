/**
 * Where the testbed keeps its files. Built binaries and kwok stages live in `.testbed/` in the
 * repository (git-ignored); a running federation's state, logs and kubeconfig live in
 * SPILLWAY_TESTBED_DIR (default `.testbed/`), so `make test` can run its own federation beside a
 * demo without either touching the other.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const buildDir = join(repoRoot, ".testbed");
export const testbedDir = resolve(process.env["SPILLWAY_TESTBED_DIR"] ?? buildDir);
export const binDir = join(buildDir, "bin");
export const stagesDir = join(buildDir, "kwok-stages");
export const kubeconfigPath = join(testbedDir, "kubeconfig");
export const bin = (name: string) => join(binDir, name);
