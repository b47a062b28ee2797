/** `kubectl spillway clusters`: the members, best-ranked first, with what is free in each. */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION, type MemberCluster } from "@spillway/api";
import { checkOutput, type CliOptions, type Kube } from "../cli-options.ts";
import { CLUSTER_HEADERS, CLUSTER_WIDE_HEADERS, clusterRows } from "../core/cluster-rows.ts";
import { formatTable } from "../core/table.ts";
import { printObject, printsObjects, type Io } from "./output.ts";

export async function clusters(kube: Kube, o: CliOptions, io: Io): Promise<number> {
  checkOutput(o, ["json", "yaml", "name", "wide", "jsonpath"]);
  const api = kube.kc.makeApiClient(CustomObjectsApi);
  const list = (await api.listClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: "memberclusters",
    ...(o.selector ? { labelSelector: o.selector } : {}),
  })) as {
    items: MemberCluster[];
  };
  if (o.output === "name") {
    for (const m of list.items) io.out(`membercluster.${GROUP}/${m.metadata.name}\n`);
    return 0;
  }
  if (printsObjects(o.output)) {
    printObject(io, o.output!, { apiVersion: "v1", kind: "List", items: list.items });
    return 0;
  }
  if (list.items.length === 0) {
    io.err("No resources found\n");
    return 0;
  }
  const wide = o.output === "wide";
  io.out(formatTable(wide ? CLUSTER_WIDE_HEADERS : CLUSTER_HEADERS, clusterRows(list.items, wide), o.noHeaders));
  return 0;
}
