import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import * as grpc from "@grpc/grpc-js";
import { addService, createClient, RpcError, type ServiceClient } from "./grpc-bridge.ts";
import { ClusterRegistry, ClusterTier } from "./gen/spillway/v1/cluster_registry_pb.js";
import { Watch } from "./gen/etcdserverpb/rpc_pb.js";

// A real grpc-js server on loopback: the bridge's job is the wire, so the test crosses it.
describe("grpc bridge", () => {
  const server = new grpc.Server();
  let client: ServiceClient<(typeof ClusterRegistry)["method"]>;
  let watchClient: ServiceClient<(typeof Watch)["method"]>;

  beforeAll(async () => {
    addService(server, ClusterRegistry, {
      async listClusters() {
        return { clusters: [{ name: "idc-1", tier: ClusterTier.IDC, allocatable: { cpuMillis: 64_000n, gpus: 8n } }] };
      },
      async getSnapshot(req) {
        if (req.cluster === "nope") throw new RpcError(grpc.status.NOT_FOUND, "cluster nope is not registered");
        return { snapshot: { cluster: req.cluster, revision: 7n } };
      },
      async *watchSnapshots(req) {
        for (let r = 1n; r <= 3n; r++) yield { snapshot: { cluster: req.clusters[0] ?? "all", revision: r } };
      },
    });
    // An echo of etcd's Watch: one `created` per create request, answered after the request; the
    // stream's end closes the call.
    addService(server, Watch, {
      async watch(stream) {
        let id = 0n;
        for await (const req of stream.requests) {
          if (req.requestUnion.case === "createRequest") {
            stream.send({ watchId: ++id, created: true, header: { revision: req.requestUnion.value.startRevision } });
          }
        }
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = createClient(ClusterRegistry, `127.0.0.1:${port}`);
    watchClient = createClient(Watch, `127.0.0.1:${port}`);
  });

  afterAll(() => {
    client.close();
    watchClient.close();
    server.forceShutdown();
  });

  it("round-trips a unary call with protobuf-es messages (64-bit integers intact)", async () => {
    const res = await client.listClusters({});
    expect(res.clusters).toHaveLength(1);
    expect(res.clusters[0]).toMatchObject({ name: "idc-1", tier: ClusterTier.IDC });
    expect(res.clusters[0]!.allocatable!.cpuMillis).toBe(64_000n);
  });

  it("maps an RpcError to its gRPC status", async () => {
    await expect(client.getSnapshot({ cluster: "nope" })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: "cluster nope is not registered",
    });
  });

  it("streams server-streaming responses in order", async () => {
    const revisions: bigint[] = [];
    for await (const msg of client.watchSnapshots({ clusters: ["cloud-1"] })) revisions.push(msg.snapshot!.revision);
    expect(revisions).toEqual([1n, 2n, 3n]);
  });

  it("carries a bidi stream both ways, answers interleaved with requests", async () => {
    const call = watchClient.watch();
    const seen: Array<[bigint, bigint]> = [];
    call.send({ requestUnion: { case: "createRequest", value: { key: new TextEncoder().encode("/a"), startRevision: 5n } } });
    const it = call.responses[Symbol.asyncIterator]();
    const first = await it.next();
    seen.push([first.value!.watchId, first.value!.header!.revision]);
    call.send({ requestUnion: { case: "createRequest", value: { startRevision: 9n } } });
    call.end();
    for (let r = await it.next(); !r.done; r = await it.next()) seen.push([r.value.watchId, r.value.header!.revision]);
    expect(seen).toEqual([
      [1n, 5n],
      [2n, 9n],
    ]);
  });
});
