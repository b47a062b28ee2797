/**
 * Shell completion through kubectl itself: kubectl (1.26+) completes `kubectl spillway …` by
 * running `kubectl_complete-spillway` from PATH with the words so far, and reads cobra's answer —
 * one candidate per line, then `:<directive>` (4: do not fall back to file names). The last word is
 * the one being completed (empty after a space).
 */
export const COMMANDS = ["clusters", "placement", "rollout", "simulate", "join", "unjoin", "fence", "unfence", "version", "help"];
const FLAGS = [
  "--namespace",
  "--all-namespaces",
  "--output",
  "--selector",
  "--no-headers",
  "--timeout",
  "--watch",
  "--filename",
  "--replicas",
  "--scheduler-addr",
  "--tier",
  "--priority",
  "--region",
  "--name",
  "--server",
  "--secret-namespace",
  "--dry-run",
  "--kubeconfig",
  "--context",
  "--help",
];
const OUTPUTS: Record<string, string[]> = {
  clusters: ["json", "yaml", "name", "wide"],
  placement: ["json", "yaml", "name", "wide"],
  simulate: ["json", "yaml"],
};
const NO_FILE = 4;

/** The candidates for the last of `words`, as cobra's __complete prints them. */
export function complete(words: readonly string[], names: { clusters?: readonly string[] } = {}): string {
  const done = words.slice(0, -1).filter((w) => !w.startsWith("-"));
  const current = words.at(-1) ?? "";
  const previous = words.at(-2);
  const answer = (candidates: readonly string[], directive = NO_FILE) =>
    [...candidates.filter((c) => c.startsWith(current)), `:${directive}`].join("\n") + "\n";
  if (previous === "--tier") return answer(["idc", "cloud"]);
  if (previous === "-o" || previous === "--output") return answer(OUTPUTS[done[0] ?? ""] ?? ["json", "yaml"]);
  // A file name: let the shell complete it (cobra's default directive).
  if (previous === "-f" || previous === "--filename" || previous === "--kubeconfig") return ":0\n";
  if (current.startsWith("-")) return answer(FLAGS);
  const [command, ...args] = done;
  if (!command) return answer(COMMANDS);
  if (command === "rollout" && args.length === 0) return answer(["status"]);
  const refPosition = command === "placement" ? 0 : command === "rollout" ? 1 : -1;
  if (refPosition >= 0 && args.length === refPosition) {
    return answer(current.includes("/") ? [] : ["fdeploy/", "fsts/", "federateddeployment/", "federatedstatefulset/"]);
  }
  if ((command === "fence" || command === "unfence") && args.length === 0) return answer(names.clusters ?? []);
  return answer([]);
}
