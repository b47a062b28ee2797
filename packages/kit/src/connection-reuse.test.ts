import { describe, expect, it } from "@jest/globals";
import { KubeConfig } from "@kubernetes/client-node";
import { reuseConnections } from "./connection-reuse.ts";

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
});
