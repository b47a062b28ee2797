/**
 * `kubectl spillway rollout status KIND/NAME`: live fleet-wide progress with a line per member,
 * from a watch on the workload; exits as `kubectl rollout status` does: 0 once rolled out, 1 on an
 * exceeded progress deadline, a deleted workload or `--timeout`.
 */
import { CustomObjectsApi, Watch } from "@kubernetes/client-node";
import { GROUP, VERSION, type FederatedDeployment, type FederatedStatefulSet } from "@spillway/api";
import type { Kube } from "../cli-options.ts";
import { deploymentRollout, statefulSetRollout, type RolloutState } from "../core/rollout-status.ts";
import { parseWorkloadRef, resourceName } from "../core/workload-ref.ts";
import { isNotFound } from "../kube-errors.ts";
import type { Io } from "./output.ts";

type Workload = FederatedDeployment & FederatedStatefulSet;

export async function rolloutStatus(kube: Kube, args: string[], flags: { timeoutMs: number; watch: boolean }, io: Io): Promise<number> {
  const ref = parseWorkloadRef(args[0]);
  const plural = `${ref.kind.toLowerCase()}s`;
  const judge: (w: Workload) => RolloutState = ref.kind === "FederatedDeployment" ? deploymentRollout : statefulSetRollout;
  const api = kube.kc.makeApiClient(CustomObjectsApi);
  const read = () =>
    api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: kube.namespace,
      plural,
      name: ref.name,
    }) as Promise<Workload>;

  let printed = "";
  /** Prints what changed; an exit code once the rollout is over, undefined while it goes on. */
  const show = (w: Workload): number | undefined => {
    const s = judge(w);
    if (s.error) {
      io.err(`error: ${s.error}\n`);
      return 1;
    }
    const text = [s.message, ...(s.done ? [] : s.clusters)].join("\n");
    if (text !== printed) io.out(`${text}\n`);
    printed = text;
    return s.done ? 0 : undefined;
  };

  let first: Workload;
  try {
    first = await read();
  } catch (err) {
    if (!isNotFound(err)) throw err;
    io.err(`Error from server (NotFound): ${resourceName(ref.kind).replace(".", "s.")} "${ref.name}" not found\n`);
    return 1;
  }
  const now = show(first);
  if (now !== undefined || !flags.watch) return now ?? 0;

  return new Promise<number>((resolve) => {
    let finished = false;
    let request: { abort: () => void } | undefined;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      request?.abort();
      resolve(code);
    };
    const timer =
      flags.timeoutMs > 0
        ? setTimeout(() => {
            io.err("error: timed out waiting for the condition\n");
            finish(1);
          }, flags.timeoutMs)
        : undefined;
    // Level-triggered: every (re)start judges the object as it is now, then follows its changes.
    const follow = async (resourceVersion: string | undefined) => {
      if (finished) return;
      try {
        request = await new Watch(kube.kc).watch(
          `/apis/${GROUP}/${VERSION}/namespaces/${kube.namespace}/${plural}`,
          { fieldSelector: `metadata.name=${ref.name}`, ...(resourceVersion ? { resourceVersion } : {}) },
          (type: string, obj: Workload) => {
            if (type === "DELETED") {
              io.err(`error: ${resourceName(ref.kind)} "${ref.name}" was deleted\n`);
              return finish(1);
            }
            if (type === "ADDED" || type === "MODIFIED") {
              const code = show(obj);
              if (code !== undefined) finish(code);
            }
          },
          () => void restart(),
        );
      } catch {
        void restart();
      }
    };
    const restart = async () => {
      if (finished) return;
      await new Promise((r) => setTimeout(r, 1000));
      try {
        const w = await read();
        const code = show(w);
        if (code !== undefined) return finish(code);
        void follow(w.metadata.resourceVersion);
      } catch (err) {
        if (isNotFound(err)) {
          io.err(`error: ${resourceName(ref.kind)} "${ref.name}" was deleted\n`);
          return finish(1);
        }
        void restart();
      }
    };
    void follow(first.metadata.resourceVersion);
  });
}
