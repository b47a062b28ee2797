/** `kubectl spillway placement KIND/NAME`: where the replicas (and ordinals) are, and why. */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION, type MemberCluster, type Placement } from "@spillway/api";
import { placementName } from "@spillway/rules";
import { checkOutput, type CliOptions, type Kube } from "../cli-options.ts";
import { PLACEMENT_HEADERS, placementListHeaders, placementListRows, placementRows, placementSummary } from "../core/placement-rows.ts";
import { formatTable } from "../core/table.ts";
import { parseWorkloadRef, resourceName } from "../core/workload-ref.ts";
import { isNotFound } from "../kube-errors.ts";
import { printObject, printsObjects, type Io } from "./output.ts";

/** Every workload's placement in the namespace, or in all with -A. */
async function list(kube: Kube, o: CliOptions, io: Io): Promise<number> {
  const api = kube.kc.makeApiClient(CustomObjectsApi);
  const all = o.allNamespaces ?? false;
  const placements = (
    (all
      ? await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "placements" })
      : await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: kube.namespace, plural: "placements" })) as {
      items: Placement[];
    }
  ).items;
  if (o.output === "name") {
    for (const p of placements) io.out(`placement.${GROUP}/${p.metadata.name}\n`);
    return 0;
  }
  if (printsObjects(o.output)) {
    printObject(io, o.output!, { apiVersion: "v1", kind: "List", items: placements });
    return 0;
  }
  if (placements.length === 0) {
    io.err(all ? "No resources found\n" : `No resources found in ${kube.namespace} namespace.\n`);
    return 0;
  }
  const wide = o.output === "wide";
  io.out(formatTable(placementListHeaders(all, wide), placementListRows(placements, all, wide), o.noHeaders));
  return 0;
}

export async function placement(kube: Kube, o: CliOptions, args: string[], io: Io): Promise<number> {
  checkOutput(o, ["json", "yaml", "name", "wide", "jsonpath"]);
  if (args.length === 0) return list(kube, o, io);
  if (o.allNamespaces) throw new Error("a workload named with -A: name its namespace with -n instead");
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
  if (o.output === "name") {
    io.out(`placement.${GROUP}/${p.metadata.name}\n`);
    return 0;
  }
  if (printsObjects(o.output)) {
    printObject(io, o.output!, p);
    return 0;
  }
  const members = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "memberclusters" })) as {
    items: MemberCluster[];
  };
  io.out(`${placementSummary(p)}\n`);
  io.out(formatTable(PLACEMENT_HEADERS, placementRows(p, members.items), o.noHeaders));
  return 0;
}
