import { describe, expect, it } from "@jest/globals";
import { nodeManifests } from "./nodes.ts";
import {
  clusterPorts,
  defaultTopology,
  fleetOf,
  loadTopology,
  natsPorts,
  nodeNetwork,
  validateTopology,
  type Topology,
} from "./topology.ts";

type NodeLike = { metadata: { name: string; labels: Record<string, string> }; status: { allocatable: Record<string, string> } };

describe("testbed topology", () => {
  it("makes a fleet of any size from IDC and cloud counts, the default fleet at 2,1", () => {
    expect(fleetOf(2, 1)).toEqual(defaultTopology.clusters);
    const twelve = loadTopology({ SPILLWAY_TESTBED_MEMBERS: "4,8" }).clusters;
    expect(twelve.filter((c) => c.tier === "idc").map((c) => c.name)).toEqual(["idc-1", "idc-2", "idc-3", "idc-4"]);
    expect(twelve.filter((c) => c.tier === "cloud")).toHaveLength(8);
    expect(new Set(twelve.filter((c) => c.role === "member").map((c) => c.priority)).size).toBe(12);
    expect(() => loadTopology({ SPILLWAY_TESTBED_MEMBERS: "twelve" })).toThrow("want IDC,CLOUD counts, e.g. 4,8");
  });

  it("gives the demo's and make test's host nodes their own address, pod network and bridge", () => {
    const demo = nodeNetwork({ portBase: 17000 });
    const e2e = nodeNetwork({ portBase: 27000 });
    expect(demo).toEqual({ name: "spillway-node", address: "10.250.17.1", podCIDR: "10.244.17.0/24", bridge: "spw17" });
    expect([e2e.address, e2e.podCIDR, e2e.bridge]).toEqual(["10.250.27.1", "10.244.27.0/24", "spw27"]);
    expect(loadTopology({ SPILLWAY_TESTBED_HOST_NODE: "1" }).hostNode).toBe(true);
    expect(loadTopology({}).hostNode).toBeUndefined();
  });

  it("defaults to the issue's fleet: idc 4×16 CPU with one 8-GPU node, cloud 8 nodes with 16 GPUs", () => {
    const byName = new Map(defaultTopology.clusters.map((c) => [c.name, nodeManifests(c) as NodeLike[]]));
    const gpus = (nodes: NodeLike[]) => nodes.reduce((s, n) => s + Number(n.status.allocatable["nvidia.com/gpu"] ?? 0), 0);
    expect([...byName.keys()]).toEqual(["host", "idc-1", "idc-2", "cloud-1"]);
    for (const idc of ["idc-1", "idc-2"]) {
      const nodes = byName.get(idc)!;
      expect(nodes).toHaveLength(4);
      expect(nodes.every((n) => n.status.allocatable["cpu"] === "16" && n.status.allocatable["memory"] === "64Gi")).toBe(true);
      expect(nodes.filter((n) => n.status.allocatable["nvidia.com/gpu"] === "8")).toHaveLength(1);
    }
    expect(byName.get("cloud-1")).toHaveLength(8);
    expect(gpus(byName.get("cloud-1")!)).toBe(16);
    expect(byName.get("host")).toHaveLength(0);
  });

  it("gives every component of every cluster and NATS a distinct port", () => {
    const ports = [
      ...defaultTopology.clusters.flatMap((_, i) => Object.values(clusterPorts(defaultTopology, i))),
      ...Object.values(natsPorts(defaultTopology)),
    ];
    expect(new Set(ports).size).toBe(ports.length);
  });

  it.each<[string, Partial<Topology>, RegExp]>([
    [
      "two hosts",
      {
        clusters: [
          { name: "a", role: "host" },
          { name: "b", role: "host" },
        ],
      },
      /exactly one cluster/,
    ],
    ["a bad name", { clusters: [{ name: "Host_1", role: "host" }] }, /not a DNS label/],
    [
      "a member without tier",
      {
        clusters: [
          { name: "h", role: "host" },
          { name: "m", role: "member" },
        ],
      },
      /needs a tier/,
    ],
    ["a privileged port base", { portBase: 80 }, /portBase/],
    ["ports in the ephemeral range", { portBase: 32700 }, /below the ephemeral range/],
  ])("rejects %s with a message that names it", (_what, override, message) => {
    expect(() => validateTopology({ ...defaultTopology, ...override })).toThrow(message);
  });
});
