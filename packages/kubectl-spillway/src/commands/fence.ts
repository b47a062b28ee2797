/**
 * `kubectl spillway fence|unfence CLUSTER`: declare a member gone for good (spec.fenced), so its
 * StatefulSet ordinals may start elsewhere and nothing is placed there, or take that back.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, VERSION } from "@spillway/api";
import type { Kube } from "../cli-options.ts";
import { isNotFound } from "../kube-errors.ts";
import type { Io } from "./output.ts";

export async function fence(kube: Kube, args: string[], fenced: boolean, io: Io): Promise<number> {
  const name = args[0];
  if (!name || args.length > 1) throw new Error(`${fenced ? "fence" : "unfence"} takes exactly one member cluster name`);
  const api = kube.kc.makeApiClient(CustomObjectsApi);
  try {
    await api.patchClusterCustomObject(
      { group: GROUP, version: VERSION, plural: "memberclusters", name, body: { spec: { fenced: fenced ? true : null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
    io.err(`Error from server (NotFound): memberclusters.spillway.dev "${name}" not found\n`);
    return 1;
  }
  if (fenced)
    io.err(
      `warning: ${name} is declared gone for good: its StatefulSet ordinals may now start in other members although nobody saw its pods stop. Never fence a member that may still run them.\n`,
    );
  io.out(`membercluster.spillway.dev/${name} ${fenced ? "fenced" : "unfenced"}\n`);
  return 0;
}
