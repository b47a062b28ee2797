/** The real kubectl, run against one context of a kubeconfig: the testbed's, the demo's and the e2e suite's one wrapper. */
import { bin, kubeconfigPath } from "./paths.ts";
import { runCommand, type CommandResult } from "./run-command.ts";

export type KubectlResult = CommandResult;

export interface KubectlTarget {
  context: string;
  /** Defaults to the testbed's `.testbed/kubeconfig`. */
  kubeconfig?: string;
  /** Defaults to the testbed's kubectl. */
  bin?: string;
}

/** Runs kubectl and resolves with its exit code and output, whatever the code. */
export function runKubectl(target: KubectlTarget, args: string[], input?: string): Promise<KubectlResult> {
  return runCommand(
    target.bin ?? bin("kubectl"),
    ["--kubeconfig", target.kubeconfig ?? kubeconfigPath, "--context", target.context, ...args],
    {
      input,
    },
  );
}

/** Runs kubectl against a testbed context; rejects with kubectl's own message when it fails. */
export async function kubectl(context: string, args: string[], input?: string): Promise<string> {
  const r = await runKubectl({ context }, args, input);
  if (r.code !== 0) throw new Error(`kubectl --context ${context} ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
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
