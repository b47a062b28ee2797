/** Runs the testbed's real kubectl against one context of `.testbed/kubeconfig`. */
import { execFile } from "node:child_process";
import { bin, kubeconfigPath } from "./paths.ts";

export function kubectl(context: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin("kubectl"),
      ["--kubeconfig", kubeconfigPath, "--context", context, ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl --context ${context} ${args.join(" ")}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** `kubectl apply` of objects given as data. */
export function apply(context: string, objects: object[]): Promise<string> {
  const list = { apiVersion: "v1", kind: "List", items: objects };
  return kubectl(
    context,
    ["apply", "--server-side", "--force-conflicts", "--field-manager=spillway-testbed", "-f", "-"],
    JSON.stringify(list),
  );
}
