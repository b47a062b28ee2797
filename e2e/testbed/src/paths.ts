/** Where the testbed keeps its files: `.testbed/` in the repository (git-ignored). */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const testbedDir = process.env["SPILLWAY_TESTBED_DIR"] ?? join(repoRoot, ".testbed");
export const binDir = join(testbedDir, "bin");
export const kubeconfigPath = join(testbedDir, "kubeconfig");
export const bin = (name: string) => join(binDir, name);
