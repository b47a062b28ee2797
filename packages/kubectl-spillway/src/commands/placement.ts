/** `kubectl spillway placement KIND/NAME`: where the replicas (and ordinals) are, and why. */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION, type MemberCluster, type Placement } from "@spillway/api";
import { placementName } from "@spillway/rules";
import { checkOutput, type CliOptions, type Kube } from "../cli-options.ts";
import { PLACEMENT_HEADERS, placementRows, placementSummary } from "../core/placement-rows.ts";
import { formatTable } from "../core/table.ts";
import { parseWorkloadRef, resourceName } from "../core/workload-ref.ts";
import { isNotFound } from "../kube-errors.ts";
import { printObject, type Io } from "./output.ts";

export async function placement(kube: Kube, o: CliOptions, args: string[], io: Io): Promise<number> {
  checkOutput(o, ["json", "yaml"]);
  const ref = parseWorkloadRef(args[0]);
  const api = kube.kc.makeApiClient(CustomObjectsApi);
  const get = (plural: string, name: string) =>
    api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: kube.namespace, plural, name });
  try {
    await get(`${ref.kind.toLowerCase()}s`, ref.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    io.err(`Error from server (NotFound): ${resourceName(ref.kind).replace(".", "s.")} "${ref.name}" not found\n`);
    return 1;
  }
  let p: Placement;
  try {
    p = (await get("placements", placementName(ref.kind, ref.name))) as Placement;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    io.err(
      `${ref.kind} ${kube.namespace}/${ref.name} is not placed yet: the scheduler has written no Placement for it (is the scheduler running?)\n`,
    );
    return 1;
  }
  if (o.output) {
    printObject(io, o.output, p);
    return 0;
  }
  const members = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "memberclusters" })) as {
    items: MemberCluster[];
  };
  io.out(`${placementSummary(p)}\n`);
  io.out(formatTable(PLACEMENT_HEADERS, placementRows(p, members.items), o.noHeaders));
  return 0;
}
