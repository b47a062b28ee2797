/** kubeRequest and kubeList over real HTTP: answers, failures, a cut-off answer, pages, an expired token. */
import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { KubeConfig } from "@kubernetes/client-node";
import { kubeList, type ListSummary } from "./kube-list.ts";
import { KubeRequestError, kubeRequest } from "./kube-request.ts";

let server: Server | undefined;
const seen: string[] = [];

async function serve(handle: (req: IncomingMessage, res: ServerResponse, url: URL) => void): Promise<KubeConfig> {
  seen.length = 0;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push(`${url.pathname}${url.search}`);
    handle(req, res, url);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "c", cluster: "c", user: "u" }],
    currentContext: "c",
  });
  return kc;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

const json = (res: ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("kubeRequest", () => {
  it("resolves a JSON answer and rejects a Status with its code and message", async () => {
    const kc = await serve((_req, res, url) =>
      url.pathname === "/ok"
        ? json(res, 200, { a: 1 })
        : json(res, 404, { kind: "Status", message: 'pods "x" not found', reason: "NotFound" }),
    );
    await expect(kubeRequest(kc, { path: "/ok", what: "ok" })).resolves.toEqual({ a: 1 });
    const err = await kubeRequest(kc, { path: "/missing", what: "pod x in idc-1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeRequestError);
    expect((err as KubeRequestError).code).toBe(404);
    expect((err as Error).message).toBe('unable to get pod x in idc-1: 404 pods "x" not found');
  });

  it("rejects an answer cut off mid-body, as a server's own request timeout cuts a long list", async () => {
    const kc = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100000" });
      res.write('{"items":[{"metadata":');
      setImmediate(() => res.destroy());
    });
    await expect(kubeRequest(kc, { path: "/api/v1/pods", what: "pods of idc-2" })).rejects.toThrow(
      "unable to get pods of idc-2: the answer was cut off after 22 bytes",
    );
  });

  it("rejects when no answer comes within its timeout", async () => {
    const kc = await serve(() => undefined);
    await expect(kubeRequest(kc, { path: "/api/v1/pods", what: "pods", timeoutMs: 50 })).rejects.toThrow("no answer in 50 ms");
  });
});

describe("kubeList", () => {
  const pods = Array.from({ length: 7 }, (_, i) => ({ metadata: { name: `p-${i}` } }));
  /** Pages of `limit` from `continue` (an index), all at resourceVersion 42. */
  const paged = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const limit = Number(url.searchParams.get("limit"));
    const from = Number(url.searchParams.get("continue") ?? 0);
    const next = from + limit < pods.length ? String(from + limit) : undefined;
    json(res, 200, {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: "42", ...(next ? { continue: next } : {}) },
      items: pods.slice(from, from + limit),
    });
    void req;
  };

  it("reads every page of one snapshot, keeping the selectors of the path", async () => {
    const kc = await serve(paged);
    const summaries: ListSummary[] = [];
    const list = await kubeList(kc, {
      path: "/api/v1/pods?labelSelector=app%3Dweb",
      what: "pods",
      pageSize: 3,
      onListed: (s) => summaries.push(s),
    });
    expect(summaries).toEqual([{ items: 7, pages: 3, restarts: 0, ms: expect.any(Number), answerMs: expect.any(Number) }]);
    expect(summaries[0]!.answerMs).toBeLessThanOrEqual(summaries[0]!.ms);
    expect(list.items.map((p) => (p as { metadata: { name: string } }).metadata.name)).toEqual(pods.map((p) => p.metadata.name));
    expect(list.metadata.resourceVersion).toBe("42");
    expect(list.kind).toBe("PodList");
    expect(seen).toEqual([
      "/api/v1/pods?labelSelector=app%3Dweb&limit=3",
      "/api/v1/pods?labelSelector=app%3Dweb&limit=3&continue=3",
      "/api/v1/pods?labelSelector=app%3Dweb&limit=3&continue=6",
    ]);
  });

  it("asks a page that got no answer again with the same token, without starting over, up to three times", async () => {
    let drop = 2;
    const kc = await serve((req, res, url) => {
      if (url.searchParams.get("continue") === "3" && drop-- > 0) res.destroy();
      else paged(req, res, url);
    });
    const list = await kubeList(kc, { path: "/api/v1/pods", what: "pods", pageSize: 3 });
    expect(list.items).toHaveLength(7);
    expect(seen).toEqual([
      "/api/v1/pods?limit=3",
      "/api/v1/pods?limit=3&continue=3",
      "/api/v1/pods?limit=3&continue=3",
      "/api/v1/pods?limit=3&continue=3",
      "/api/v1/pods?limit=3&continue=6",
    ]);

    drop = 3;
    seen.length = 0;
    await expect(kubeList(kc, { path: "/api/v1/pods", what: "pods of idc-1", pageSize: 3 })).rejects.toThrow(/pods of idc-1/);
    expect(seen.filter((s) => s.endsWith("continue=3"))).toHaveLength(3);
  });

  it("starts over once when a continue token expired (410), and fails on a second expiry", async () => {
    let expire = 1;
    const kc = await serve((req, res, url) => {
      if (url.searchParams.get("continue") === "3" && expire-- > 0)
        return json(res, 410, { kind: "Status", reason: "Expired", message: "The provided continue parameter is too old" });
      paged(req, res, url);
    });
    const summaries: ListSummary[] = [];
    const list = await kubeList(kc, { path: "/api/v1/pods", what: "pods", pageSize: 3, onListed: (s) => summaries.push(s) });
    expect(list.items).toHaveLength(7);
    expect(seen.filter((s) => !s.includes("continue"))).toHaveLength(2);
    // One page of the expired snapshot and the three of the new one.
    expect(summaries).toMatchObject([{ items: 7, pages: 4, restarts: 1 }]);

    expire = 2;
    await expect(kubeList(kc, { path: "/api/v1/pods", what: "pods of idc-1", pageSize: 3 })).rejects.toThrow(
      "unable to get pods of idc-1: 410 The provided continue parameter is too old",
    );
  });
});
