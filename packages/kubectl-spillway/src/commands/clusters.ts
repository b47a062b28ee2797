/** `kubectl spillway clusters`: the members, best-ranked first, with what is free in each. */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION, type MemberCluster } from "@spillway/api";
import { checkOutput, type CliOptions, type Kube } from "../cli-options.ts";
import { CLUSTER_HEADERS, clusterRows } from "../core/cluster-rows.ts";
import { formatTable } from "../core/table.ts";
import { printObject, type Io } from "./output.ts";

export async function clusters(kube: Kube, o: CliOptions, io: Io): Promise<number> {
  checkOutput(o, ["json", "yaml"]);
  const api = kube.kc.makeApiClient(CustomObjectsApi);
  const list = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "memberclusters" })) as {
    items: MemberCluster[];
  };
  if (o.output) {
    printObject(io, o.output, { apiVersion: "v1", kind: "List", items: list.items });
    return 0;
  }
  if (list.items.length === 0) {
    io.err("No resources found\n");
    return 0;
  }
  io.out(formatTable(CLUSTER_HEADERS, clusterRows(list.items), o.noHeaders));
  return 0;
}
