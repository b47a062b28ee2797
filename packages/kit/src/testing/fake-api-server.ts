/**
 * A few paths of the Kubernetes API over real HTTP, for unit tests of the kit's network-facing
 * parts (informers, leader election) without an API server binary: objects per collection path
 * with resourceVersions, create (409 when it exists), replace (409 when stale), and `?watch=true`
 * streams that the test can feed and cut. Only what those tests need; the e2e suite uses the real
 * kube-apiserver.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { KubeConfig } from "@kubernetes/client-node";

interface Stored {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

export class FakeApiServer {
  private readonly server: Server;
  private readonly collections = new Map<string, Map<string, Stored>>();
  private readonly watchers = new Map<string, Set<ServerResponse>>();
  private rv = 0;
  /** Requests answered with this status instead of being served, while set (e.g. 500 for an outage). */
  failWith: number | undefined;
  readonly requests: string[] = [];

  private constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(): Promise<FakeApiServer> {
    const s = new FakeApiServer();
    await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
    return s;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    const { port } = this.server.address() as { port: number };
    kc.loadFromOptions({
      clusters: [{ name: "fake", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "fake" }],
      contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
      currentContext: "fake",
    });
    return kc;
  }

  /** The objects of a collection, as a list response. */
  list(path: string): { metadata: { resourceVersion: string }; items: Stored[] } {
    return {
      metadata: { resourceVersion: String(this.rv) },
      items: [...(this.collections.get(path)?.values() ?? [])].map((o) => structuredClone(o)),
    };
  }

  /** Stores an object and tells the collection's watchers. */
  put(path: string, obj: Stored): Stored {
    const items = this.collection(path);
    const type = items.has(obj.metadata.name) ? "MODIFIED" : "ADDED";
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    items.set(obj.metadata.name, stored);
    this.notify(path, type, stored);
    return stored;
  }

  remove(path: string, name: string): void {
    const o = this.collections.get(path)?.get(name);
    if (!o) return;
    this.collections.get(path)!.delete(name);
    this.notify(path, "DELETED", { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } });
  }

  /** Ends every open watch of `path`, as a server restart or a proxy timeout would. */
  cutWatches(path: string): void {
    for (const res of this.watchers.get(path) ?? []) res.end();
    this.watchers.get(path)?.clear();
  }

  /** Ends every open watch of `path` with 410 Gone, as a server whose history moved past them. */
  expireWatches(path: string): void {
    const gone = { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410 };
    for (const res of this.watchers.get(path) ?? []) res.end(JSON.stringify({ type: "ERROR", object: gone }) + "\n");
    this.watchers.get(path)?.clear();
  }

  watching(path: string): number {
    return this.watchers.get(path)?.size ?? 0;
  }

  async stop(): Promise<void> {
    for (const set of this.watchers.values()) for (const res of set) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private collection(path: string): Map<string, Stored> {
    let c = this.collections.get(path);
    if (!c) this.collections.set(path, (c = new Map()));
    return c;
  }

  private notify(path: string, type: string, object: Stored): void {
    for (const res of this.watchers.get(path) ?? []) res.write(JSON.stringify({ type, object }) + "\n");
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    this.requests.push(`${req.method} ${url.pathname}${url.searchParams.get("watch") ? "?watch" : ""}`);
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string) => reply(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code });
    if (this.failWith) return status(this.failWith, "InternalError");
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const path = url.pathname;
      if (req.method === "GET" && url.searchParams.get("watch")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        let set = this.watchers.get(path);
        if (!set) this.watchers.set(path, (set = new Set()));
        set.add(res);
        res.on("close", () => set.delete(res));
        return;
      }
      if (req.method === "GET" && this.collections.has(path)) return reply(200, this.list(path));
      const slash = path.lastIndexOf("/");
      const [collection, name] = [path.slice(0, slash), path.slice(slash + 1)];
      if (req.method === "GET") {
        const o = this.collections.get(collection)?.get(name);
        return o ? reply(200, o) : status(404, "NotFound");
      }
      const obj = JSON.parse(body || "{}") as Stored;
      if (req.method === "POST") {
        if (this.collections.get(path)?.has(obj.metadata.name)) return status(409, "AlreadyExists");
        return reply(201, this.put(path, obj));
      }
      if (req.method === "PUT") {
        const cur = this.collections.get(collection)?.get(name);
        if (!cur) return status(404, "NotFound");
        if (obj.metadata.resourceVersion !== cur.metadata.resourceVersion) return status(409, "Conflict");
        return reply(200, this.put(collection, obj));
      }
      status(405, "MethodNotAllowed");
    });
  }
}
