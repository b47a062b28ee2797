/** The real kubectl, as users run it, against one role's context. */
import { spawn } from "node:child_process";
import { contextOf, e2eKubeconfig, kubectlBin, type ClusterRole } from "./env.ts";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(role: ClusterRole, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBin, ["--kubeconfig", e2eKubeconfig, "--context", contextOf(role), ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}
