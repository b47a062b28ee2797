/** The informer over real HTTP (a FakeApiServer): list, watch, a cut watch, a failing list. */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { FakeApiServer } from "./testing/fake-api-server.ts";
import { Informer } from "./informer.ts";
import { until } from "./testing/until.ts";

const PATH = "/api/v1/namespaces/ns/configmaps";
const cm = (name: string, value = "1") => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns" }, data: { value } });
type CM = ReturnType<typeof cm>;

describe("Informer", () => {
  let server: FakeApiServer;
  let informer: Informer<CM>;
  beforeEach(async () => {
    server = await FakeApiServer.start();
  });
  afterEach(async () => {
    await informer?.stop();
    await server.stop();
  });

  const make = (
    list: () => Promise<{ metadata?: { resourceVersion?: string }; items: CM[] }>,
    onError?: (e: unknown, ms: number) => void,
  ) => (informer = new Informer<CM>(server.kubeConfig(), { path: PATH, list, maxBackoffMs: 1000, onError }));

  it("lists into its cache, then follows the watch: add, update, delete", async () => {
    server.put(PATH, cm("a"));
    const events: string[] = [];
    make(async () => server.list(PATH) as never);
    informer.addHandler((type, o) => events.push(`${type} ${o.metadata.name}`));
    await informer.start();
    await informer.hasSynced();
    expect(informer.get("a", "ns")?.data.value).toBe("1");
    await until(() => server.watching(PATH) === 1, "watch open");
    server.put(PATH, cm("b"));
    server.put(PATH, cm("a", "2"));
    server.remove(PATH, "b");
    await until(() => events.length === 4, "four events");
    expect(events).toEqual(["add a", "add b", "update a", "delete b"]);
    expect(informer.get("a", "ns")?.data.value).toBe("2");
    expect(informer.list("ns").map((o) => o.metadata.name)).toEqual(["a"]);
    expect(informer.stats().objects).toBe(1);
  });

  it("hands handlers the whole object and keeps what compact leaves of it", async () => {
    server.put(PATH, cm("a"));
    const seen: string[] = [];
    informer = new Informer<CM>(server.kubeConfig(), {
      path: PATH,
      list: async () => server.list(PATH) as never,
      compact: (o) => void (o.data = { value: "" }),
    });
    informer.addHandler((type, o) => seen.push(`${type} ${o.metadata.name}=${o.data.value}`));
    await informer.start();
    await informer.hasSynced();
    await until(() => server.watching(PATH) === 1, "watch open");
    server.put(PATH, cm("a", "2"));
    await until(() => seen.length === 2, "two events");
    expect(seen).toEqual(["add a=1", "update a=2"]);
    expect(informer.get("a", "ns")?.data.value).toBe("");
    expect(informer.get("a", "ns")?.metadata.name).toBe("a");
  });

  it("re-opens a watch the server cut and keeps following changes", async () => {
    make(async () => server.list(PATH) as never);
    await informer.start();
    await until(() => server.watching(PATH) === 1, "watch open");
    server.cutWatches(PATH);
    await until(() => server.watching(PATH) === 1, "watch re-opened");
    server.put(PATH, cm("after-cut"));
    await until(() => informer.get("after-cut", "ns") !== undefined, "change after the cut");
  });

  it("retries a failing list with backoff, reporting each failure, and syncs once the list works", async () => {
    let failures = 2;
    const errors: number[] = [];
    make(
      async () => {
        if (failures-- > 0) throw new Error("etcd unavailable");
        return server.list(PATH) as never;
      },
      (_err, retryInMs) => errors.push(retryInMs),
    );
    server.put(PATH, cm("a"));
    let synced = false;
    void informer.hasSynced().then(() => (synced = true));
    await informer.start();
    await until(() => synced, "synced after the list recovered");
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[1]!).toBeGreaterThan(errors[0]!);
    expect(informer.get("a", "ns")).toBeDefined();
  });

  it("counts what its watch went through: lists, watches, events, a cut, 410 Gone, failures", async () => {
    let failOnce = true;
    const missed = new Set<string>();
    make(async () => {
      if (failOnce) {
        failOnce = false;
        throw new Error("etcd unavailable");
      }
      const listed = server.list(PATH);
      return { ...listed, items: listed.items.filter((o) => !missed.has(o.metadata.name)) } as never;
    });
    server.put(PATH, cm("a"));
    await informer.start();
    await informer.hasSynced();
    await until(() => server.watching(PATH) === 1, "watch open");
    expect(informer.stats()).toMatchObject({ lists: 1, watches: 1, failures: 1, events: 0, closed: 0, expired: 0, objects: 1 });

    const before = Date.now();
    server.put(PATH, cm("b"));
    server.put(PATH, cm("a", "2"));
    await until(() => informer.stats().events === 2, "two events counted");
    expect(informer.stats().lastEventMs).toBeGreaterThanOrEqual(before);

    server.cutWatches(PATH);
    await until(() => server.watching(PATH) === 1, "watch resumed");
    expect(informer.stats()).toMatchObject({ closed: 1, watches: 2, lists: 1 });

    // History gone: the cache is listed again, and that is told apart from a plain end.
    server.expireWatches(PATH);
    await until(() => informer.stats().lists === 2 && server.watching(PATH) === 1, "relisted and watching");
    expect(informer.stats()).toMatchObject({ expired: 1, watches: 3, objects: 2, events: 2 });

    // A deletion the watch never told of: the relist drops the object, and the count follows.
    missed.add("b");
    server.expireWatches(PATH);
    await until(() => informer.stats().lists === 3 && server.watching(PATH) === 1, "relisted again");
    expect(informer.stats().objects).toBe(1);
    expect(informer.list().length).toBe(1);
  });
});
