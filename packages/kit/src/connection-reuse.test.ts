import { describe, expect, it } from "@jest/globals";
import { KubeConfig } from "@kubernetes/client-node";
import { createServer } from "node:http";
import { reuseConnections } from "./connection-reuse.ts";
import { kubeRequest } from "./kube-request.ts";

const config = (server: string) => ({
  clusters: [{ name: "c", server, caData: Buffer.from("not a real CA").toString("base64") }],
  users: [{ name: "u", token: "t" }],
  contexts: [{ name: "ctx", cluster: "c", user: "u" }],
  currentContext: "ctx",
});

/** The dispatcher one API call would be sent through. */
async function dispatcherOf(kc: KubeConfig): Promise<unknown> {
  let dispatcher: unknown;
  await kc.applySecurityAuthentication({
    setHeaderParam: () => {},
    setDispatcher: (d: unknown) => (dispatcher = d),
  } as never);
  return dispatcher;
}

describe("reuseConnections", () => {
  it("sends every API call of one kubeconfig through one connection pool", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions(config("https://127.0.0.1:6443"));
    reuseConnections(kc);
    const first = await dispatcherOf(kc);
    expect(first).toBeDefined();
    expect(await dispatcherOf(kc)).toBe(first);
  });

  it("keeps separate pools for separate kubeconfigs", async () => {
    const a = reuseConnections(new KubeConfig());
    a.loadFromOptions(config("https://127.0.0.1:6443"));
    const b = reuseConnections(new KubeConfig());
    b.loadFromOptions(config("https://127.0.0.1:7443"));
    expect(await dispatcherOf(a)).not.toBe(await dispatcherOf(b));
  });

  it("sends kubeRequest's requests (list pages, member writes, probes) over one kept connection", async () => {
    let connections = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const kc = reuseConnections(new KubeConfig());
      kc.loadFromOptions({
        clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: "u" }],
        contexts: [{ name: "ctx", cluster: "c", user: "u" }],
        currentContext: "ctx",
      });
      for (let i = 0; i < 5; i++) await kubeRequest(kc, { path: "/api/v1/pods", what: "pods" });
      expect(connections).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
